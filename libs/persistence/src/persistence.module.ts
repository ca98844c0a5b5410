import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@app/config';
import { DatabaseHealth } from './database-health';
import { dataSourceOptions } from './data-source';
import { DailyChallengesRepository } from './repositories/daily-challenges.repository';
import { OutboxRepository } from './repositories/outbox.repository';
import { PracticeDaysRepository } from './repositories/practice-days.repository';
import { ProcessedEventsRepository } from './repositories/processed-events.repository';
import { ProfileReader } from './repositories/profile.reader';
import { RulesVersionsRepository } from './repositories/rules-versions.repository';
import { UserBadgesRepository } from './repositories/user-badges.repository';
import { UserProfileRepository } from './repositories/user-profile.repository';
import { UnitOfWork } from './unit-of-work';
import { LeaderboardRanks } from './leaderboards/leaderboard-ranks';
import { LeaderboardRepository } from './leaderboards/leaderboard.repository';
import { RedisModule } from './redis/redis.module';

const providers = [
  UnitOfWork,
  ProcessedEventsRepository,
  UserProfileRepository,
  PracticeDaysRepository,
  UserBadgesRepository,
  DailyChallengesRepository,
  OutboxRepository,
  ProfileReader,
  RulesVersionsRepository,
  DatabaseHealth,
  LeaderboardRepository,
  LeaderboardRanks,
];

@Module({
  imports: [
    RedisModule,
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config.database), retryAttempts: 10, retryDelay: 2000 }),
    }),
  ],
  providers,
  exports: providers,
})
export class PersistenceModule {}
