import { challengeDayKey, type DecidedSessionOutcome } from '@app/domain';
import type { BadgeAward, LedgerOutcome, PracticeDay, UserChallengeDay, UserTotals, UserZone } from '@app/persistence';

/** What a run of decided sessions writes, table by table, so that each table takes one statement. */
export interface SessionRunEffects {
  /** The totals each user ends the run with, for users with a counted session. */
  readonly totals: readonly UserTotals[];
  /** The zone of users whose sessions in the run were all too short to count. */
  readonly zonesOnly: readonly UserZone[];
  readonly practiceDays: readonly PracticeDay[];
  readonly badges: readonly BadgeAward[];
  /** Each challenge day touched, as the run left it. */
  readonly challengeDays: readonly UserChallengeDay[];
  readonly ledger: readonly LedgerOutcome[];
}

/** `rulesVersion` is the version of the rules that made the decisions, recorded with each fact. */
export function sessionRunEffects(decisions: readonly DecidedSessionOutcome[], rulesVersion: number): SessionRunEffects {
  const totals = new Map<string, UserTotals>();
  // The zone each user ends the run in: a session too short to count still shows where the user is.
  const zones = new Map<string, string>();
  const practiceDays: PracticeDay[] = [];
  const badges: BadgeAward[] = [];
  const challengeDays = new Map<string, UserChallengeDay>();
  const ledger: LedgerOutcome[] = [];
  for (const { session, decision } of decisions) {
    const { userId, eventId } = session;
    const fact = {
      eventId,
      completedAt: session.completedAt,
      durationSeconds: session.durationSeconds,
      score: session.score,
      skills: session.skills,
      rulesVersion,
    };
    if (decision.outcome !== 'counted') {
      zones.set(userId, decision.timezone);
      ledger.push({ ...fact, outcome: decision.outcome, xpAwarded: 0, practiceDate: null, zone: decision.timezone, localDate: decision.localDate });
      continue;
    }
    zones.set(userId, decision.totals.timezone);
    ledger.push({
      ...fact,
      outcome: decision.outcome,
      xpAwarded: decision.xpAwarded,
      practiceDate: decision.practiceDate,
      zone: decision.totals.timezone,
      localDate: decision.practiceDate,
    });
    totals.set(userId, { userId, totals: decision.totals, rulesVersion });
    practiceDays.push({ userId, date: decision.practiceDate });
    badges.push(...decision.badgesAwarded.map((badge) => ({ userId, badge, sourceEventId: eventId })));
    if (decision.challengeDay !== null) {
      challengeDays.set(challengeDayKey(userId, decision.challengeDay.date), { userId, day: decision.challengeDay });
    }
  }
  return {
    totals: [...totals.values()].map((user) => ({ ...user, totals: { ...user.totals, timezone: zones.get(user.userId)! } })),
    zonesOnly: [...zones].filter(([userId]) => !totals.has(userId)).map(([userId, timezone]) => ({ userId, timezone })),
    practiceDays,
    badges,
    challengeDays: [...challengeDays.values()],
    ledger,
  };
}
