import { Injectable } from '@nestjs/common';
import { DEFAULT_TIME_ZONE, localDateOf, newDailyChallenges, profileDayOf, projectProfile } from '@app/domain';
import { DailyChallengesRepository, ProfileReader } from '@app/persistence';
import { Clock } from '../clock/clock';
import { RulesInForce } from '../rules-in-force/rules-in-force';
import type { GetProfileQuery } from './get-profile.query';
import { profileView, type ProfileView } from './profile.view';

const DAY_MS = 86_400_000;

@Injectable()
export class GetProfileUseCase {
  constructor(
    private readonly rulesInForce: RulesInForce,
    private readonly reader: ProfileReader,
    private readonly challenges: DailyChallengesRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ userId }: GetProfileQuery): Promise<ProfileView> {
    const now = this.clock.now();
    // The user's zone is in the row being read, so read the challenges of every date "today" can be
    // anywhere on Earth (UTC's yesterday to tomorrow) and pick today's once the zone is known.
    const candidates = [-1, 0, 1].map((offset) => localDateOf(new Date(now.getTime() + offset * DAY_MS), DEFAULT_TIME_ZONE));
    const { profile: recorded, challenges: nearby, rulesVersions } = await this.reader.read(userId, candidates);
    const inForce = await this.rulesInForce.ofVersion(rulesVersions.inForce);
    // A user an apply has not reached yet is shown on the level curve their totals were computed under.
    const theirs = rulesVersions.user === null ? inForce : await this.rulesInForce.ofVersion(rulesVersions.user);
    const day = profileDayOf(recorded, now);
    const ofToday = nearby.filter((challenge) => challenge.date === day.today);
    const challenges =
      ofToday.length > 0 ? ofToday : await this.challenges.createDay(userId, day.today, day.endsAt, newDailyChallenges(inForce.challenges));
    return profileView(userId, projectProfile(recorded, challenges, now, theirs));
  }
}
