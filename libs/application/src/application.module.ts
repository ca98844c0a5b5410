import { Module } from '@nestjs/common';
import { PersistenceModule } from '@app/persistence';
import { ApplySessionCompletedUseCase } from './apply-session-completed/apply-session-completed.use-case';
import { Clock, SystemClock } from './clock/clock';

@Module({
  imports: [PersistenceModule],
  providers: [ApplySessionCompletedUseCase, { provide: Clock, useClass: SystemClock }],
  exports: [ApplySessionCompletedUseCase, Clock, PersistenceModule],
})
export class ApplicationModule {}
