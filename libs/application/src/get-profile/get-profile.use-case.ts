import { Inject, Injectable } from '@nestjs/common';
import { GAMIFICATION_RULES } from '@app/config';
import { DEFAULT_TIME_ZONE, localDateOf, newDailyChallenges, profileDayOf, projectProfile, type GamificationRules } from '@app/domain';
import { DailyChallengesRepository, ProfileReader } from '@app/persistence';
import { Clock } from '../clock/clock';
import type { GetProfileQuery } from './get-profile.query';
import { profileView, type ProfileView } from './profile.view';

const DAY_MS = 86_400_000;

@Injectable()
export class GetProfileUseCase {
  constructor(
    @Inject(GAMIFICATION_RULES) private readonly rules: GamificationRules,
    private readonly reader: ProfileReader,
    private readonly challenges: DailyChallengesRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ userId }: GetProfileQuery): Promise<ProfileView> {
    const now = this.clock.now();
    // The user's zone is in the row being read, so read the challenges of every date "today" can be
    // anywhere on Earth (UTC's yesterday to tomorrow) and pick today's once the zone is known.
    const candidates = [-1, 0, 1].map((offset) => localDateOf(new Date(now.getTime() + offset * DAY_MS), DEFAULT_TIME_ZONE));
    const { profile: recorded, challenges: nearby } = await this.reader.read(userId, candidates);
    const day = profileDayOf(recorded, now);
    const ofToday = nearby.filter((challenge) => challenge.date === day.today);
    const challenges =
      ofToday.length > 0 ? ofToday : await this.challenges.createDay(userId, day.today, day.endsAt, newDailyChallenges(this.rules.challenges));
    return profileView(userId, projectProfile(recorded, challenges, now, this.rules.levels));
  }
}
