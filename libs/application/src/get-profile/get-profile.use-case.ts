import { Inject, Injectable } from '@nestjs/common';
import { GAMIFICATION_RULES } from '@app/config';
import {
  DEFAULT_TIME_ZONE,
  endOfLocalDay,
  LevelCurve,
  localDateOf,
  newDailyChallenges,
  StreakCalculator,
  type GamificationRules,
} from '@app/domain';
import { UserProgressRepository } from '@app/persistence';
import { Clock } from '../clock/clock';
import type { GetProfileQuery } from './get-profile.query';
import { challengeView, type ProfileView } from './profile.view';

@Injectable()
export class GetProfileUseCase {
  private readonly levels: LevelCurve;

  constructor(
    @Inject(GAMIFICATION_RULES) private readonly rules: GamificationRules,
    private readonly progress: UserProgressRepository,
    private readonly clock: Clock,
  ) {
    this.levels = new LevelCurve(rules.levels);
  }

  async execute({ userId }: GetProfileQuery): Promise<ProfileView> {
    const now = this.clock.now();
    const stored = await this.progress.readProfile(userId);
    const zone = stored?.timezone ?? DEFAULT_TIME_ZONE;
    const today = localDateOf(now, zone);
    const challenges = await this.progress.challengesOfDay(
      userId,
      today,
      endOfLocalDay(today, zone),
      newDailyChallenges(this.rules.challenges),
    );
    const totalXp = stored?.totalXp ?? 0;
    const level = this.levels.progressAt(stored?.level ?? 1, totalXp);
    return {
      userId,
      level: level.level,
      totalXp,
      xpIntoLevel: level.xpIntoLevel,
      xpForNextLevel: level.xpForNextLevel,
      currentStreak: stored === null ? 0 : StreakCalculator.displayedStreak(stored, today),
      longestStreak: stored?.longestStreak ?? 0,
      lastPracticeDate: stored?.lastPracticeDate ?? null,
      sessionsCompleted: stored?.sessionsCompleted ?? 0,
      badges: (stored?.badges ?? []).map((badge) => ({
        code: badge.code,
        name: badge.name,
        description: badge.description,
        earnedAt: badge.awardedAt.toISOString(),
      })),
      challenges: challenges.map(challengeView),
    };
  }
}
