import { Injectable } from '@nestjs/common';
import { analyticsRange, dayStarts, DEFAULT_TIME_ZONE, localDateOf, practiceAnalytics, type PracticeAnalytics } from '@app/domain';
import { ProcessedEventsRepository, UnitOfWork, UserProfileRepository } from '@app/persistence';
import { Clock } from '../clock/clock';
import type { GetPracticeAnalyticsQuery } from './get-practice-analytics.query';

/**
 * Days, ISO weeks and the score trend of the user's counted sessions, in the zone last seen for
 * them (else UTC). The local days are placed by the engine's own calendar (their first instants,
 * DST included) and the sessions summed per day by one set-based statement over the session facts.
 */
@Injectable()
export class GetPracticeAnalyticsUseCase {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly profiles: UserProfileRepository,
    private readonly processedEvents: ProcessedEventsRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ userId, days }: GetPracticeAnalyticsQuery): Promise<PracticeAnalytics> {
    const now = this.clock.now();
    return this.unitOfWork.read(async (statements) => {
      const zone = (await this.profiles.zoneOf(statements, userId)) ?? DEFAULT_TIME_ZONE;
      const range = analyticsRange(localDateOf(now, zone), days);
      const practised = await this.processedEvents.practiceDaysOf(statements, userId, dayStarts(range, zone));
      return practiceAnalytics(
        zone,
        range,
        practised.map(({ day, ...totals }) => ({ date: range[day], ...totals })),
      );
    });
  }
}
