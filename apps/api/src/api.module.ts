import { Module } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { HealthController } from './health/health.controller';

/** The HTTP app. For now a bootable skeleton with liveness; the profile and challenge routes come next. */
@Module({
  imports: [ConfigModule.forRoot({ role: 'api' })],
  controllers: [HealthController],
})
export class ApiModule {}
