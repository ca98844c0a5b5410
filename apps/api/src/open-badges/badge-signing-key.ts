import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, type KeyObject } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { calculateJwkThumbprint, exportJWK, SignJWT } from 'jose';
import { AppConfig, ConfigurationError, signingKeyProblem } from '@app/config';
import { uuidOfDigest } from '@app/messaging';
import { credentialJwtClaims, OpenBadgeIds, type OpenBadgeCredential, type Pseudonyms } from '@app/domain';

/** A development key read back from its file, checked as OB_SIGNING_KEY is. */
function kept(file: string, pem: string): string {
  const problem = signingKeyProblem(pem);
  if (problem !== null) {
    throw new ConfigurationError([`OB_DEV_KEY_FILE: ${file} ${problem}; delete it, and a new key is generated`]);
  }
  return pem;
}

/** RS256: the one algorithm every Open Badges 3.0 verifier must support. */
export const CREDENTIAL_ALGORITHM = 'RS256';
const DEV_KEY_BITS = 2048;

export interface PublicJwk {
  readonly kty: 'RSA';
  readonly n: string;
  readonly e: string;
  readonly kid: string;
  readonly alg: typeof CREDENTIAL_ALGORITHM;
  readonly use: 'sig';
}

/**
 * The key that signs badge credentials: OB_SIGNING_KEY (validated at start by the config), or in
 * development and tests one generated once into OB_DEV_KEY_FILE and read again on every start, so
 * that credentials and their verification survive a restart. Its public half is the JWKS; its `kid`
 * is the key's URL under PUBLIC_BASE_URL, named by its RFC 7638 thumbprint, so a new key always gets
 * a new kid.
 */
@Injectable()
export class BadgeSigningKey implements OnModuleInit, Pseudonyms {
  private readonly logger = new Logger(BadgeSigningKey.name);
  private privateKey!: KeyObject;
  private pseudonymKey!: Buffer;
  private publicJwk!: PublicJwk;

  constructor(private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    this.privateKey = createPrivateKey(this.config.openBadges.signingKeyPem ?? this.developmentKeyPem());
    const jwk = await exportJWK(createPublicKey(this.privateKey));
    const kid = new OpenBadgeIds(this.config.publicBaseUrl).key(await calculateJwkThumbprint(jwk));
    this.publicJwk = { kty: 'RSA', n: jwk.n!, e: jwk.e!, kid, alg: CREDENTIAL_ALGORITHM, use: 'sig' };
    // The pseudonyms' key is derived from the signing key, so it needs no setting of its own and
    // never leaves the process; a new signing key gives holders new subject ids.
    this.pseudonymKey = Buffer.from(hkdfSync('sha256', this.privateKey.export({ format: 'der', type: 'pkcs8' }), Buffer.alloc(0), 'open-badges pseudonyms', 32));
  }

  get kid(): string {
    return this.publicJwk.kid;
  }

  /** The JWKS document: the public key every credential's `kid` names, under that kid. */
  jwks(): { keys: PublicJwk[] } {
    return { keys: [this.publicJwk] };
  }

  uuid(...parts: readonly string[]): string {
    return uuidOfDigest(createHmac('sha256', this.pseudonymKey).update(parts.join('\u001f')).digest(), 8);
  }

  /** The key of `kid`, or null for a key this api does not hold. */
  jwk(kid: string): PublicJwk | null {
    return kid === this.publicJwk.kid ? this.publicJwk : null;
  }

  /**
   * The credential as a VC-JWT (Open Badges 3.0 section 8.2): the payload is the credential with
   * iss, jti, sub and nbf, and iat the time of signing; the header only alg, kid and typ, as the
   * standard allows no other.
   */
  sign(credential: OpenBadgeCredential, signedAt: Date): Promise<string> {
    return new SignJWT({ ...credential, ...credentialJwtClaims(credential) })
      .setProtectedHeader({ alg: CREDENTIAL_ALGORITHM, kid: this.kid, typ: 'JWT' })
      .setIssuedAt(signedAt)
      .sign(this.privateKey);
  }

  /** The development key: read from OB_DEV_KEY_FILE, or generated there the first time. */
  private developmentKeyPem(): string {
    const file = this.config.openBadges.devKeyFile;
    try {
      return kept(file, readFileSync(file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw error;
      }
    }
    const pem = generateKeyPairSync('rsa', { modulusLength: DEV_KEY_BITS }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    mkdirSync(dirname(file), { recursive: true });
    // Written whole beside it, then linked into place: of two apis starting at once, both keep the
    // first one's key, and neither can read a half-written file.
    const written = `${file}.${process.pid}.tmp`;
    writeFileSync(written, pem, { mode: 0o600 });
    try {
      linkSync(written, file);
      this.logger.warn(`no OB_SIGNING_KEY: generated a development key for badge credentials in ${file} (production requires OB_SIGNING_KEY)`);
      return pem;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        return kept(file, readFileSync(file, 'utf8'));
      }
      throw error;
    } finally {
      unlinkSync(written);
    }
  }
}
