import { badgeStats, newlyEarnedBadges } from '../badges/badge-rules';
import type { BadgeDefinition, GamificationRules } from '../rules/gamification-rules';
import { StreakCalculator, type StreakSummary } from '../streaks/streak-calculator';
import type { SkillXp } from '../skills/skill-xp';
import type { LocalDate } from '../time/local-date';

export interface RecordedProgress {
  readonly level: number;
  readonly sessionsCompleted: number;
  readonly bestScore: number | null;
  readonly practiceDays: Iterable<LocalDate>;
  readonly badges: ReadonlySet<string>;
  readonly skillXp: SkillXp;
}

export interface Reevaluation {
  readonly streak: StreakSummary;
  readonly badgesAwarded: readonly BadgeDefinition[];
}

/**
 * Recomputes what follows from what is already recorded: the streak from the practice days, and any
 * badge whose rule the user now meets (after a rules change, say). Never adds XP; running it twice
 * changes nothing the second time.
 */
export class ProgressReevaluator {
  constructor(private readonly rules: GamificationRules) {}

  reevaluate(progress: RecordedProgress): Reevaluation {
    const streak = StreakCalculator.summarize(progress.practiceDays, this.rules.streakFreeze);
    const badgesAwarded = newlyEarnedBadges(
      this.rules.badges,
      badgeStats({ ...progress, longestStreak: streak.longestStreak }, this.rules.skillMastery),
      progress.badges,
    );
    return { streak, badgesAwarded };
  }
}
