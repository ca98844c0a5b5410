import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@app/config';
import { DatabaseHealth } from './database-health';
import { dataSourceOptions } from './data-source';
import { OutboxRepository } from './repositories/outbox.repository';
import { UserProgressRepository } from './repositories/user-progress.repository';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config.database), retryAttempts: 10, retryDelay: 2000 }),
    }),
  ],
  providers: [UserProgressRepository, OutboxRepository, DatabaseHealth],
  exports: [UserProgressRepository, OutboxRepository, DatabaseHealth],
})
export class PersistenceModule {}
