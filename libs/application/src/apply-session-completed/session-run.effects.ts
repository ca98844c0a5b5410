import { challengeDayKey, type DecidedSessionOutcome, type LeaderboardTally, type LeaderboardXp, type LocalDate, type StreakNotice, type StreakNotifier, type StreakWatch } from '@app/domain';
import type { BadgeAward, EventSource, LedgerOutcome, PracticeDay, UserChallengeDay, UserStanding, UserTotals, UserZone } from '@app/persistence';

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
  /** What the run adds to the boards (contract section 9): per user, board and period not final. */
  readonly standings: readonly UserStanding[];
  /** Day ends a new practice day hid from the sweep, announced now with the streak as it was. */
  readonly streakNotices: ReadonlyArray<{ readonly userId: string; readonly notice: StreakNotice }>;
}

/** The users' streaks before the run, and what computes their notices. */
export interface StreakNoticesBefore {
  readonly watches: ReadonlyMap<string, StreakWatch>;
  readonly notifier: StreakNotifier;
  readonly now: Date;
}

/**
 * `rulesVersion` is the version of the rules that made the decisions, recorded with each fact, and
 * `source` where the events came in.
 */
export function sessionRunEffects(
  decisions: readonly DecidedSessionOutcome[],
  rulesVersion: number,
  source: EventSource,
  streaks: StreakNoticesBefore,
  leaderboards: LeaderboardTally,
): SessionRunEffects {
  const totals = new Map<string, Omit<UserTotals, 'notices'>>();
  // The earliest practice day each user's run adds after their latest one before it.
  const firstNewDays = new Map<string, LocalDate>();
  // The zone each user ends the run in: a session too short to count still shows where the user is.
  const zones = new Map<string, string>();
  const practiceDays: PracticeDay[] = [];
  const badges: BadgeAward[] = [];
  const challengeDays = new Map<string, UserChallengeDay>();
  const ledger: LedgerOutcome[] = [];
  const leaderboardXp = new Map<string, LeaderboardXp[]>();
  for (const { session, decision } of decisions) {
    const { userId, eventId } = session;
    const fact = {
      eventId,
      userId,
      sessionId: session.sessionId,
      source,
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
    const xpReachedAt = decision.xpAwarded > 0 ? streaks.now : (totals.get(userId)?.xpReachedAt ?? null);
    totals.set(userId, { userId, xpReachedAt, totals: decision.totals, rulesVersion });
    const userXp = leaderboardXp.get(userId) ?? [];
    userXp.push({ xp: decision.xpAwarded, countsAt: session.completedAt, decidedAt: streaks.now });
    leaderboardXp.set(userId, userXp);
    const latestBefore = streaks.watches.get(userId)?.summary.lastPracticeDate ?? null;
    const firstNew = firstNewDays.get(userId);
    if ((latestBefore === null || decision.practiceDate > latestBefore) && (firstNew === undefined || decision.practiceDate < firstNew)) {
      firstNewDays.set(userId, decision.practiceDate);
    }
    practiceDays.push({ userId, date: decision.practiceDate });
    badges.push(...decision.badgesAwarded.map((badge) => ({ userId, badge, sourceEventId: eventId })));
    if (decision.challengeDay !== null) {
      challengeDays.set(challengeDayKey(userId, decision.challengeDay.date), { userId, day: decision.challengeDay });
    }
  }
  const { watches, notifier, now } = streaks;
  const streakNotices: Array<{ userId: string; notice: StreakNotice }> = [];
  const stored = [...totals.values()].map((user): UserTotals => {
    const timezone = zones.get(user.userId)!;
    const settled = notifier.settle(
      watches.get(user.userId)!,
      { summary: user.totals, zone: timezone },
      firstNewDays.get(user.userId) ?? null,
      now,
    );
    streakNotices.push(...settled.notices.map((notice) => ({ userId: user.userId, notice })));
    return { ...user, totals: { ...user.totals, timezone }, notices: { cursor: settled.cursor, dueAt: settled.nextDueAt } };
  });
  return {
    totals: stored,
    zonesOnly: [...zones]
      .filter(([userId]) => !totals.has(userId))
      .map(([userId, timezone]) => {
        const watch = { ...watches.get(userId)!, zone: timezone };
        return { userId, timezone, notices: { cursor: watch.cursor, dueAt: notifier.nextDueAt(watch, now) } };
      }),
    practiceDays,
    badges,
    challengeDays: [...challengeDays.values()],
    ledger,
    standings: [...leaderboardXp].flatMap(([userId, xp]) => leaderboards.added(xp, now).map((standing) => ({ ...standing, userId }))),
    streakNotices,
  };
}
