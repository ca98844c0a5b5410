import { badgeStats, newlyEarnedBadges } from '../badges/badge-rules';
import { LevelCurve, type LevelChange } from '../levels/level-curve';
import type { BadgeDefinition, GamificationRules } from '../rules/gamification-rules';
import { SkillTree } from '../skills/skill-tree';
import { NO_SKILL_XP, withSessionSkillXp, type SkillXp } from '../skills/skill-xp';
import { StreakCalculator, type StreakSummary } from '../streaks/streak-calculator';
import type { LocalDate } from '../time/local-date';
import { isCountedSession, sessionXp } from '../xp/session-xp';

/**
 * A processed session as the engine keeps it for good: what it knew when it decided it. The zone
 * and local date are the ones that decision used (its own zone, else the user's last seen, else
 * UTC), so a recompute under other rules never has to guess where the user was.
 */
export interface SessionFact {
  readonly kind: 'session';
  readonly eventId: string;
  readonly completedAt: Date;
  readonly zone: string;
  readonly localDate: LocalDate;
  readonly durationSeconds: number;
  readonly score: number | null;
  readonly skills: readonly string[];
}

/**
 * A session processed before facts were kept: only its recorded outcome is known, so a recompute
 * keeps what it was given then (its XP and practice day), whatever the rules say now.
 */
export interface LegacyOutcome {
  readonly kind: 'legacy';
  readonly eventId: string;
  readonly xpAwarded: number;
  /** The practice day it counted for; null when it did not count. */
  readonly practiceDate: LocalDate | null;
}

export type ProcessedSession = SessionFact | LegacyOutcome;

/** What a recompute may never take away (contract section 6): badges awarded, the highest level reached. */
export interface Attained {
  readonly badges: ReadonlySet<string>;
  readonly highestLevel: number;
}

export interface RecomputedProgress {
  readonly totalXp: number;
  /** The highest of the level that the XP gives and the highest level reached before. */
  readonly level: number;
  readonly sessionsCompleted: number;
  readonly bestScore: number | null;
  readonly streak: StreakSummary;
  readonly practiceDays: readonly LocalDate[];
  /** The zone of the last session processed; null when none was. */
  readonly timezone: string | null;
  /** The XP of each node of the tree that a counted session fact reached (legacy outcomes name no skills). */
  readonly skillXp: SkillXp;
  /** Badges the rules give that were not attained before, in rules-file order. */
  readonly newlyEarned: readonly BadgeDefinition[];
  /** From the highest level reached before to the new one, when the recompute reaches a higher one. */
  readonly levelChange: LevelChange | null;
  /** The XP each session earns under these rules (a legacy outcome keeps its recorded XP). */
  readonly xpByEvent: ReadonlyMap<string, number>;
  /** Each session fact's outcome under these rules: what its record says from now on. */
  readonly outcomes: ReadonlyArray<{ readonly eventId: string; readonly counted: boolean; readonly xpAwarded: number }>;
}

/**
 * A user's progress as a fold over their processed sessions (in processing order) and the XP of the
 * challenges they claimed, under `rules`. XP is recomputed and may go down; badges and levels
 * attained before are kept (SkillTree's and XenForo's policy, contract section 6).
 */
export function recomputeProgress(
  sessions: readonly ProcessedSession[],
  claimedChallengeXp: readonly number[],
  attained: Attained,
  rules: GamificationRules,
): RecomputedProgress {
  const xpByEvent = new Map<string, number>();
  const outcomes: Array<{ eventId: string; counted: boolean; xpAwarded: number }> = [];
  const practiceDays = new Set<LocalDate>();
  let sessionsCompleted = 0;
  let bestScore: number | null = null;
  let timezone: string | null = null;
  let skillXp = NO_SKILL_XP;
  const tree = new SkillTree(rules.skills);
  for (const session of sessions) {
    if (session.kind === 'legacy') {
      xpByEvent.set(session.eventId, session.xpAwarded);
      if (session.practiceDate !== null) {
        sessionsCompleted += 1;
        practiceDays.add(session.practiceDate);
      }
      continue;
    }
    timezone = session.zone;
    const xpAwarded = sessionXp(session, rules.xp);
    const counted = isCountedSession(session, rules.xp);
    xpByEvent.set(session.eventId, xpAwarded);
    outcomes.push({ eventId: session.eventId, counted, xpAwarded });
    if (counted) {
      sessionsCompleted += 1;
      practiceDays.add(session.localDate);
      bestScore = session.score === null ? bestScore : Math.max(bestScore ?? session.score, session.score);
      skillXp = withSessionSkillXp(skillXp, tree, { skills: session.skills, xp: xpAwarded });
    }
  }
  const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);
  const totalXp = sum(xpByEvent.values()) + sum(claimedChallengeXp);
  const levelByXp = new LevelCurve(rules.levels).levelFor(totalXp);
  const level = Math.max(levelByXp, attained.highestLevel);
  const streak = StreakCalculator.summarize(practiceDays, rules.streakFreeze);
  const newlyEarned = newlyEarnedBadges(
    rules.badges,
    badgeStats({ sessionsCompleted, longestStreak: streak.longestStreak, bestScore, level, skillXp }, rules.skillMastery),
    attained.badges,
  );
  return {
    totalXp,
    level,
    sessionsCompleted,
    bestScore,
    streak,
    practiceDays: [...practiceDays].sort(),
    timezone,
    skillXp,
    newlyEarned,
    levelChange: level > attained.highestLevel ? { previousLevel: attained.highestLevel, newLevel: level } : null,
    xpByEvent,
    outcomes,
  };
}
