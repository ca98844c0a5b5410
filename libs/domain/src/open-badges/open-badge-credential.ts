/**
 * Open Badges 3.0 (1EdTech): a badge a user earned as an `OpenBadgeCredential`, its `Achievement`
 * and the issuer's `Profile`, shaped as the standard's JSON-LD documents. Pure: the ids come from
 * `OpenBadgeIds`, the subject's id and the times from the caller. Signing is the api's.
 */

/** The VC Data Model 2.0 context, then the Open Badges 3.0 one, in the order the standard requires. */
export const OPEN_BADGES_CONTEXT = ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'] as const;

/** The official JSON Schema every OpenBadgeCredential must validate against (a copy is vendored in docs/). */
export const OPEN_BADGE_CREDENTIAL_SCHEMA = {
  id: 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json',
  type: '1EdTechJsonSchemaValidator2019',
} as const;

/** Where each public document lives: every id is a URL under the api's public base URL. */
export class OpenBadgeIds {
  readonly base: string;

  constructor(publicBaseUrl: string) {
    this.base = publicBaseUrl.replace(/\/+$/, '');
  }

  get issuer(): string {
    return `${this.base}/ob/issuer`;
  }

  /** A signing key's own URL: a JWT's `kid` must be a URI that dereferences to the JWK (OB 3.0, section 8.2). */
  key(thumbprint: string): string {
    return `${this.base}/ob/keys/${encodeURIComponent(thumbprint)}`;
  }

  /**
   * A badge as one rules version defines it: a credential names the definition its holder met, which
   * a later version may change.
   */
  achievement(badgeCode: string, rulesVersion: number): string {
    return `${this.base}/ob/achievements/${encodeURIComponent(badgeCode)}/versions/${rulesVersion}`;
  }
}

export interface IssuerProfile {
  readonly id: string;
  readonly type: readonly ['Profile'];
  readonly name: string;
  readonly url: string;
}

/** A badge of the rules, as the catalog describes it. */
export interface AchievementSource {
  readonly code: string;
  readonly name: string;
  readonly description: string;
  /** How to earn it, in words: the achievement's criteria. */
  readonly howToEarn: string;
}

export interface Achievement {
  readonly id: string;
  readonly type: readonly ['Achievement'];
  readonly achievementType: 'Badge';
  /** The rules version that defines it. */
  readonly version: string;
  readonly name: string;
  readonly description: string;
  readonly criteria: { readonly narrative: string };
  readonly creator: IssuerProfile;
}

export interface OpenBadgeCredential {
  readonly '@context': typeof OPEN_BADGES_CONTEXT;
  readonly id: string;
  readonly type: readonly ['VerifiableCredential', 'OpenBadgeCredential'];
  readonly name: string;
  readonly issuer: IssuerProfile;
  readonly validFrom: string;
  readonly awardedDate: string;
  readonly credentialSubject: {
    readonly id: string;
    readonly type: readonly ['AchievementSubject'];
    readonly achievement: Achievement;
  };
  readonly credentialSchema: readonly [typeof OPEN_BADGE_CREDENTIAL_SCHEMA];
}

export function issuerProfile(ids: OpenBadgeIds, name: string): IssuerProfile {
  return { id: ids.issuer, type: ['Profile'], name, url: ids.base };
}

export function achievementOf(ids: OpenBadgeIds, issuer: IssuerProfile, badge: AchievementSource, rulesVersion: number): Achievement {
  return {
    id: ids.achievement(badge.code, rulesVersion),
    type: ['Achievement'],
    achievementType: 'Badge',
    version: String(rulesVersion),
    name: badge.name,
    description: badge.description,
    criteria: { narrative: badge.howToEarn },
    creator: issuer,
  };
}

/** Ids derived from what they identify under a key of the issuer's: stable, yet not traceable without the key. */
export interface Pseudonyms {
  uuid(...parts: readonly string[]): string;
}

/** A badge as one user earned it. */
export interface EarnedAchievement {
  readonly achievement: Achievement;
  readonly awardedAt: Date;
  /** The credential's id: the same for every copy of the same award. */
  readonly credentialId: string;
  /** Who earned it, as an id that says nothing about them beyond being one user of this engine. */
  readonly subjectId: string;
}

/** An instant in whole seconds: a VC-JWT's `nbf` is in seconds and must equal `validFrom`. */
function wholeSeconds(instant: Date): string {
  return new Date(Math.floor(instant.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function openBadgeCredential(issuer: IssuerProfile, earned: EarnedAchievement): OpenBadgeCredential {
  const awardedAt = wholeSeconds(earned.awardedAt);
  return {
    '@context': OPEN_BADGES_CONTEXT,
    id: earned.credentialId,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: earned.achievement.name,
    issuer,
    validFrom: awardedAt,
    awardedDate: awardedAt,
    credentialSubject: { id: earned.subjectId, type: ['AchievementSubject'], achievement: earned.achievement },
    credentialSchema: [OPEN_BADGE_CREDENTIAL_SCHEMA],
  };
}

/** The registered claims of a VC-JWT (OB 3.0 section 8.2): the payload is the credential with these beside it. */
export interface CredentialJwtClaims {
  readonly iss: string;
  readonly jti: string;
  readonly sub: string;
  /** Seconds since the epoch: validFrom. */
  readonly nbf: number;
}

export function credentialJwtClaims(credential: OpenBadgeCredential): CredentialJwtClaims {
  return {
    iss: credential.issuer.id,
    jti: credential.id,
    sub: credential.credentialSubject.id,
    nbf: Date.parse(credential.validFrom) / 1000,
  };
}
