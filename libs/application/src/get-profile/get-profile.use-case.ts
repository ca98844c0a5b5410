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
    // The user's zone is in the row being read, so read the challenges of every date "today" can be
    // anywhere on Earth (UTC's yesterday to tomorrow) and pick today's once the zone is known.
    const candidates = [-1, 0, 1].map((offset) => localDateOf(new Date(now.getTime() + offset * 86_400_000), DEFAULT_TIME_ZONE));
    const { profile: stored, challenges: nearby } = await this.progress.readProfile(userId, candidates);
    const zone = stored?.timezone ?? DEFAULT_TIME_ZONE;
    const today = localDateOf(now, zone);
    const ofToday = nearby.filter((challenge) => challenge.date === today);
    const challenges =
      ofToday.length > 0
        ? ofToday
        : await this.progress.createChallengesOfDay(
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
      practicedToday: stored?.lastPracticeDate === today,
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
