import { Module, type DynamicModule } from '@nestjs/common';
import type { GamificationRules } from '@app/domain';
import { AppConfig, loadAppConfig, type ProcessRole } from './app-config';
import { loadRulesFile } from './rules-file';

/**
 * The rules of RULES_FILE, validated at start. The rules in force live in the database (the first
 * start records these as its first version); `npm run rules -- apply` makes a file the rules in force.
 */
export const RULES_FROM_FILE = Symbol('RULES_FROM_FILE');

export interface ConfigModuleOptions {
  readonly role: ProcessRole;
  /** Defaults to process.env; tests pass their own. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The one place settings and the rules file are read and validated; a bad value throws before anything starts. */
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
        { provide: RULES_FROM_FILE, useValue: rules },
      ],
      exports: [AppConfig, RULES_FROM_FILE],
    };
  }
}
