import { Module, type DynamicModule } from '@nestjs/common';
import type { GamificationRules } from '@app/domain';
import { AppConfig, loadAppConfig, type ProcessRole } from './app-config';
import { loadRulesFile } from './rules-file';

export const GAMIFICATION_RULES = Symbol('GAMIFICATION_RULES');

export interface ConfigModuleOptions {
  readonly role: ProcessRole;
  /** Defaults to process.env; tests pass their own. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The one place settings and rules are read and validated; a bad value throws before anything starts. */
@Module({})
export class ConfigModule {
  static forRoot(options: ConfigModuleOptions): DynamicModule {
    const config = loadAppConfig(options.env ?? process.env, options.role);
    const rules: GamificationRules = loadRulesFile(config.rulesFile);
    return {
      global: true,
      module: ConfigModule,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: GAMIFICATION_RULES, useValue: rules },
      ],
      exports: [AppConfig, GAMIFICATION_RULES],
    };
  }
}
