import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { decodeProtectedHeader, errors, jwtVerify, type JWTVerifyOptions } from 'jose';
import { AppConfig } from '@app/config';
import { ApiError } from '../errors/api-error';
import { IdentityProviderKeys, IdentityProviderUnavailable } from './identity-provider-keys';

/** What an identity provider may sign with; `none` and the HMAC algorithms are never among them. */
const PROVIDER_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];

/** The 503 of every authenticated route, for its OpenAPI description. */
export const PROVIDER_UNAVAILABLE_RESPONSE = "IDENTITY_PROVIDER_UNAVAILABLE with Retry-After: an identity provider is configured and none of its keys could be fetched yet";

/** A 401 as RFC 6750 section 3 has it: the scheme, and for a token that was presented, invalid_token. */
export function unauthorized(message: string, tokenPresented = true): ApiError {
  return new ApiError(401, 'UNAUTHORIZED', message, { 'WWW-Authenticate': tokenPresented ? 'Bearer error="invalid_token"' : 'Bearer' });
}

/** The reasons a token is refused for on both paths, whichever library found them. */
const REFUSED = {
  expired: 'The bearer token has expired.',
  notYetValid: 'The bearer token is not valid yet (nbf).',
  issuer: 'The bearer token was not issued by the issuer this api trusts (iss).',
  audience: 'The bearer token is not meant for this api (aud).',
  signature: "The bearer token's signature does not verify.",
};

/** Why jose or jsonwebtoken refused a token, in words a platform's developer can act on. */
function refusal(error: unknown): string {
  const { name, message } = error as Error;
  if (name === 'TokenExpiredError' || error instanceof errors.JWTExpired) {
    return REFUSED.expired;
  }
  if (name === 'NotBeforeError') {
    return REFUSED.notYetValid;
  }
  if (name === 'JsonWebTokenError') {
    if (message.startsWith('jwt issuer invalid')) {
      return REFUSED.issuer;
    }
    if (message.startsWith('jwt audience invalid')) {
      return REFUSED.audience;
    }
    if (message === 'invalid signature') {
      return REFUSED.signature;
    }
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return REFUSED.issuer;
      case 'aud':
        return REFUSED.audience;
      case 'nbf':
        return REFUSED.notYetValid;
      default:
        return `The bearer token's ${error.claim} claim is not accepted.`;
    }
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return "The bearer token's key (kid) is not one of the identity provider's keys.";
  }
  if (error instanceof errors.JWKSMultipleMatchingKeys) {
    return "The bearer token names no key (kid), and more than one of the identity provider's keys could have signed it.";
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return REFUSED.signature;
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return `The bearer token's algorithm is not accepted: HS256 with the shared secret, or ${PROVIDER_ALGORITHMS.join(', ')} from the identity provider.`;
  }
  return 'The bearer token is invalid.';
}

/**
 * Verifies bearer JWTs (and mints the development ones). The token's `alg`
 * header chooses the path: HS256 tokens are checked with JWT_SECRET alone (when it is set), every
 * other token with the identity provider's keys (when one is configured), for RS256, ES256 and EdDSA
 * only. So a token cannot pass as HS256 with the provider's public key as its secret, and `alg: none`
 * never passes. Issuer and audience (when configured), `exp` and `nbf` are checked on both paths,
 * with the same clock tolerance.
 */
@Injectable()
export class BearerTokens {
  private readonly sharedSecret: boolean;
  private readonly claims: Pick<JWTVerifyOptions, 'issuer' | 'audience' | 'clockTolerance' | 'requiredClaims'>;

  constructor(
    private readonly jwt: JwtService,
    private readonly providerKeys: IdentityProviderKeys,
    config: AppConfig,
  ) {
    const { auth } = config;
    this.sharedSecret = auth.jwtSecret !== null;
    this.claims = {
      // A token without exp would never expire, nor would a live stream opened with it.
      requiredClaims: ['exp'],
      ...(auth.issuer === null ? {} : { issuer: auth.issuer }),
      ...(auth.audience === null ? {} : { audience: auth.audience }),
      clockTolerance: auth.clockToleranceSeconds,
    };
  }

  /** Whether HS256 tokens are accepted, and so development tokens can be minted. */
  get acceptsSharedSecret(): boolean {
    return this.sharedSecret;
  }

  /** The token's claims once verified; a 401 saying why it is refused, or a 503 while the provider's keys cannot be had. */
  async verify(token: string): Promise<Record<string, unknown>> {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw unauthorized('The bearer token is not a JWT.');
    }
    const shared = typeof alg === 'string' && alg.toUpperCase().startsWith('HS');
    if (shared && !this.sharedSecret) {
      throw unauthorized(`The bearer token is signed with ${String(alg)}; this api accepts only tokens its identity provider signs (${PROVIDER_ALGORITHMS.join(', ')}).`);
    }
    if (!shared && !this.providerKeys.enabled) {
      throw unauthorized('The bearer token must be signed with HS256.');
    }
    try {
      // HS256 with jsonwebtoken (jwt-options.ts says why), the provider's tokens with jose.
      return shared ? this.jwt.verify<Record<string, unknown>>(token) : (await jwtVerify(token, this.providerKeys.getKey, { ...this.claims, algorithms: PROVIDER_ALGORITHMS })).payload;
    } catch (error) {
      if (error instanceof IdentityProviderUnavailable) {
        throw new ApiError(503, 'IDENTITY_PROVIDER_UNAVAILABLE', 'Bearer tokens cannot be checked right now: the identity provider does not answer. Try again shortly.', {
          'Retry-After': String(error.retryAfterSeconds),
        });
      }
      throw unauthorized(refusal(error));
    }
  }

  /** An HS256 token with JWT_SECRET, with the configured issuer and audience: the development sign-in's. */
  mint(claims: Record<string, unknown>, expiresIn: '12h'): string {
    if (!this.sharedSecret) {
      throw new Error('no JWT_SECRET to sign tokens with');
    }
    return this.jwt.sign(claims, { expiresIn });
  }
}
