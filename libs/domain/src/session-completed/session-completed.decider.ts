import { badgeStats, newlyEarnedBadges } from '../badges/badge-rules';
import { advanceChallenge, newDailyChallenges, type ChallengeState } from '../challenges/daily-challenges';
import { LevelCurve, type LevelChange } from '../levels/level-curve';
import type { BadgeDefinition, GamificationRules } from '../rules/gamification-rules';
import { StreakCalculator } from '../streaks/streak-calculator';
import { SkillTree } from '../skills/skill-tree';
import { withSessionSkillXp, type SkillXp } from '../skills/skill-xp';
import { DEFAULT_TIME_ZONE, endOfLocalDay, localDateOf, type LocalDate } from '../time/local-date';
import { isCountedSession, sessionXp } from '../xp/session-xp';

export interface CompletedSession {
  readonly eventId: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly completedAt: Date;
  readonly durationSeconds: number;
  readonly score: number | null;
  readonly timezone: string | null;
  /** The skill codes the session practised, each once, in the order the producer gave them. */
  readonly skills: readonly string[];
}

/** What the engine knows of a user before a session is applied. */
export interface UserProgress {
  readonly totalXp: number;
  readonly level: number;
  readonly sessionsCompleted: number;
  readonly bestScore: number | null;
  /** The zone of the last event that named one; null if none ever did. */
  readonly timezone: string | null;
  readonly practiceDays: Iterable<LocalDate>;
  readonly badges: ReadonlySet<string>;
  readonly skillXp: SkillXp;
}

/** The challenges already created for one local day of the user, if any. */
export interface ChallengeDay {
  readonly expiresAt: Date;
  readonly challenges: readonly ChallengeState[];
}

export interface ProgressTotals {
  readonly totalXp: number;
  readonly level: number;
  readonly sessionsCompleted: number;
  readonly bestScore: number | null;
  readonly currentStreak: number;
  readonly longestStreak: number;
  readonly lastPracticeDate: LocalDate | null;
  /** Freezes held at the end of the latest practice day. */
  readonly freezesHeld: number;
  /** The frozen days of the streak through the latest practice day. */
  readonly frozenDays: readonly LocalDate[];
  readonly timezone: string;
  readonly skillXp: SkillXp;
}

export interface ChallengeDayDecision {
  readonly date: LocalDate;
  readonly expiresAt: Date;
  /** True when the day's challenges did not exist and are created by this decision. */
  readonly created: boolean;
  readonly challenges: readonly ChallengeState[];
}

export type SessionDecision = {
  /** The skills the session lists that the tree in force does not know: counted by operators, otherwise ignored. */
  readonly unknownSkills: readonly string[];
} & (
  | {
      readonly outcome: 'not-counted';
      readonly reason: 'too-short';
      /** A session that does not count still shows where the user is: the zone later events fall back to. */
      readonly timezone: string;
      /** Its calendar date in that zone, kept with the fact: other rules may count it. */
      readonly localDate: LocalDate;
    }
  | {
      readonly outcome: 'counted';
      readonly xpAwarded: number;
      readonly practiceDate: LocalDate;
      readonly totals: ProgressTotals;
      readonly badgesAwarded: readonly BadgeDefinition[];
      readonly levelChange: LevelChange | null;
      readonly challengeDay: ChallengeDayDecision | null;
    }
);

/** A session with what was decided for it, in the order the sessions were given. */
export interface DecidedSessionOutcome {
  readonly session: CompletedSession;
  readonly decision: SessionDecision;
}

/** Where challenge days are looked up and kept while a run of sessions is decided: `${userId}|${date}`. */
export function challengeDayKey(userId: string, date: LocalDate): string {
  return `${userId}|${date}`;
}

/**
 * Decides what one completed session does to a user's progress. Pure: the caller loads the
 * state, passes the clock, and persists the decision in one transaction.
 */
export class SessionCompletedDecider {
  private readonly levels: LevelCurve;
  private readonly skills: SkillTree;

  constructor(private readonly rules: GamificationRules) {
    this.levels = new LevelCurve(rules.levels);
    this.skills = new SkillTree(rules.skills);
  }

  /** The zone the session's practice day is counted in: its own, else the user's last seen, else UTC. */
  zoneFor(session: CompletedSession, progress: Pick<UserProgress, 'timezone'>): string {
    return session.timezone ?? progress.timezone ?? DEFAULT_TIME_ZONE;
  }

  practiceDateOf(session: CompletedSession, progress: Pick<UserProgress, 'timezone'>): LocalDate {
    return localDateOf(session.completedAt, this.zoneFor(session, progress));
  }

  decide(session: CompletedSession, progress: UserProgress, challengeDay: ChallengeDay | null, now: Date): SessionDecision {
    const unknownSkills = session.skills.filter((code) => !this.skills.has(code));
    if (!isCountedSession(session, this.rules.xp)) {
      const timezone = this.zoneFor(session, progress);
      return { outcome: 'not-counted', reason: 'too-short', timezone, localDate: localDateOf(session.completedAt, timezone), unknownSkills };
    }
    const timezone = this.zoneFor(session, progress);
    const practiceDate = localDateOf(session.completedAt, timezone);
    const xpAwarded = sessionXp(session, this.rules.xp);
    const totalXp = progress.totalXp + xpAwarded;
    const levelChange = this.levels.changeFrom(progress.level, totalXp);
    const level = levelChange?.newLevel ?? progress.level;
    const streak = StreakCalculator.summarize([...progress.practiceDays, practiceDate], this.rules.streakFreeze);
    const bestScore =
      session.score === null ? progress.bestScore : Math.max(progress.bestScore ?? session.score, session.score);
    const totals: ProgressTotals = {
      totalXp,
      level,
      sessionsCompleted: progress.sessionsCompleted + 1,
      bestScore,
      currentStreak: streak.currentStreak,
      longestStreak: streak.longestStreak,
      lastPracticeDate: streak.lastPracticeDate,
      freezesHeld: streak.freezesHeld,
      frozenDays: streak.frozenDays,
      timezone,
      skillXp: withSessionSkillXp(progress.skillXp, this.skills, { skills: session.skills, xp: xpAwarded }),
    };
    const badgesAwarded = newlyEarnedBadges(this.rules.badges, badgeStats(totals, this.rules.skillMastery), progress.badges);
    return {
      outcome: 'counted',
      xpAwarded,
      practiceDate,
      totals,
      badgesAwarded,
      levelChange,
      challengeDay: this.advanceChallenges(session, practiceDate, timezone, challengeDay, now),
      unknownSkills,
    };
  }

  /** The user's progress after a decision: what the next session of the same user is decided against. */
  evolve(progress: UserProgress, decision: SessionDecision): UserProgress {
    if (decision.outcome !== 'counted') {
      return { ...progress, timezone: decision.timezone };
    }
    const { totals } = decision;
    return {
      totalXp: totals.totalXp,
      level: totals.level,
      sessionsCompleted: totals.sessionsCompleted,
      bestScore: totals.bestScore,
      timezone: totals.timezone,
      practiceDays: new Set([...progress.practiceDays, decision.practiceDate]),
      badges: new Set([...progress.badges, ...decision.badgesAwarded.map((badge) => badge.code)]),
      skillXp: totals.skillXp,
    };
  }

  /**
   * Decides a run of sessions in order, each against the state the ones before it left: the same
   * result as deciding and storing them one by one, computed without a round trip in between.
   * `progress` holds every user's state before the run; `challengeDays` the existing challenge days.
   */
  decideAll(
    sessions: readonly CompletedSession[],
    progress: ReadonlyMap<string, UserProgress>,
    challengeDays: ReadonlyMap<string, ChallengeDay>,
    now: Date,
  ): DecidedSessionOutcome[] {
    const users = new Map(progress);
    const days = new Map(challengeDays);
    return sessions.map((session) => {
      const before = users.get(session.userId);
      if (before === undefined) {
        throw new Error(`no progress loaded for user ${session.userId}`);
      }
      const key = challengeDayKey(session.userId, this.practiceDateOf(session, before));
      const decision = this.decide(session, before, days.get(key) ?? null, now);
      users.set(session.userId, this.evolve(before, decision));
      if (decision.outcome === 'counted' && decision.challengeDay !== null) {
        days.set(key, { expiresAt: decision.challengeDay.expiresAt, challenges: decision.challengeDay.challenges });
      }
      return { session, decision };
    });
  }

  /** A session counts toward its own local day's challenges, unless that day is already over. */
  private advanceChallenges(
    session: CompletedSession,
    date: LocalDate,
    timezone: string,
    existing: ChallengeDay | null,
    now: Date,
  ): ChallengeDayDecision | null {
    const expiresAt = existing?.expiresAt ?? endOfLocalDay(date, timezone);
    if (expiresAt.getTime() <= now.getTime()) {
      return null;
    }
    const challenges = (existing?.challenges ?? newDailyChallenges(this.rules.challenges)).map((challenge) =>
      advanceChallenge(challenge, session),
    );
    return { date, expiresAt, created: existing === null, challenges };
  }
}
