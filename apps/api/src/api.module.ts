import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@app/config';
import { HealthController } from './health/health.controller';

/** The HTTP app. For now a bootable skeleton with liveness; the profile and challenge routes come next. */
@Module({})
export class ApiModule {
  static forRoot(env?: Readonly<Record<string, string | undefined>>): DynamicModule {
    return {
      module: ApiModule,
      imports: [ConfigModule.forRoot({ role: 'api', env })],
      controllers: [HealthController],
    };
  }
}
