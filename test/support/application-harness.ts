import { Test, type TestingModule } from '@nestjs/testing';
import { ApplicationModule, Clock } from '@app/application';
import { ConfigModule } from '@app/config';
import { recreateDatabase } from '@app/dev-stack';
import { workerTestEnv } from './test-env';

/**
 * The shared use cases, configured as the worker configures them, on a freshly migrated database and
 * with the clock given (and the settings, topics included, a test shares with a worker of its own);
 * started, so that the rules file is recorded as the first version in force.
 */
export async function startApplication(databaseUrl: string, clock: Clock, env: Record<string, string> = workerTestEnv()): Promise<TestingModule> {
  await recreateDatabase(databaseUrl, () => undefined);
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot({ role: 'worker', env: { ...env, DATABASE_URL: databaseUrl } }), ApplicationModule],
  })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  await moduleRef.init();
  return moduleRef;
}
