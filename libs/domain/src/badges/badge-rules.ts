import type { BadgeDefinition, BadgeMetric } from '../rules/gamification-rules';
import type { SkillMasteryLevel } from '../skills/skill-tree';
import { skillBadgeFigures, type SkillXp } from '../skills/skill-xp';

/** What badges are judged on: facts about the user's whole history, never about arrival order. */
export type BadgeStats = Readonly<Record<BadgeMetric, number>>;

/** Badges whose rule the stats satisfy and that the user does not hold yet, in rules-file order. */
export function newlyEarnedBadges(
  definitions: readonly BadgeDefinition[],
  stats: BadgeStats,
  held: ReadonlySet<string>,
): BadgeDefinition[] {
  return definitions.filter((badge) => !held.has(badge.code) && stats[badge.when.metric] >= badge.when.atLeast);
}

/** The badge metrics of a user's recorded totals, their skills' mastery judged on `skillMastery`'s levels. */
export function badgeStats(
  totals: {
    readonly sessionsCompleted: number;
    readonly longestStreak: number;
    readonly bestScore: number | null;
    readonly level: number;
    readonly skillXp: SkillXp;
  },
  skillMastery: readonly SkillMasteryLevel[],
): BadgeStats {
  return {
    sessionsCompleted: totals.sessionsCompleted,
    streakDays: totals.longestStreak,
    // No scored session yet: below any threshold an operator can set (thresholds are >= 0).
    score: totals.bestScore ?? -1,
    level: totals.level,
    ...skillBadgeFigures(totals.skillXp, skillMastery),
  };
}

/** How to earn a badge, in words, from its rule (for the dashboard's tooltips); mastery levels by their names. */
export function howToEarn(badge: BadgeDefinition, skillMastery: readonly SkillMasteryLevel[]): string {
  const { metric, atLeast } = badge.when;
  switch (metric) {
    case 'sessionsCompleted':
      return atLeast === 1 ? 'Complete a practice session' : `Complete ${atLeast} practice sessions`;
    case 'streakDays':
      return `Practise ${atLeast} days in a row`;
    case 'score':
      return `Score ${atLeast} or more in a session`;
    case 'level':
      return `Reach level ${atLeast}`;
    case 'skillsPractised':
      return atLeast === 1 ? 'Practise a skill of the skill tree' : `Practise ${atLeast} skills of the skill tree`;
    case 'skillMastery': {
      // The lowest level at or above the threshold is the one that earns it.
      const reached = skillMastery.find((level) => level.level >= atLeast);
      return `Reach ${reached?.name ?? `mastery level ${atLeast}`} in a skill`;
    }
  }
}
