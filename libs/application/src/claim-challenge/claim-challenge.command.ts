/** Claim the XP of one of the caller's completed challenges. */
export class ClaimChallengeCommand {
  constructor(
    readonly userId: string,
    readonly challengeId: string,
  ) {}
}
