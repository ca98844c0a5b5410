import type { Pseudonyms } from '@app/domain';

/** The Open Badges credential of a badge the caller earned (contract section 11). */
export class IssueBadgeCredentialQuery {
  constructor(
    readonly userId: string,
    readonly badgeCode: string,
    /** The issuer's keyed ids: the subject's and the credential's cannot be traced back to the user without its key. */
    readonly pseudonyms: Pseudonyms,
  ) {}
}
