import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig, parseRules, RULES_FROM_FILE } from '@app/config';
import type { GamificationRules } from '@app/domain';
import { RulesVersionsRepository, UnitOfWork, UserProfileRepository, type Transaction } from '@app/persistence';
import { Clock } from '../clock/clock';

/**
 * The rules in force, as every process reads them: the newest version in rules_versions, read in the
 * caller's transaction so that a decision made under a user's lock uses the version that user is on.
 * A newly applied version is picked up by the next read, without a restart. Versions are parsed
 * once each and kept.
 */
@Injectable()
export class RulesInForce implements OnApplicationBootstrap {
  private readonly logger = new Logger(RulesInForce.name);
  private latest: GamificationRules | null = null;

  constructor(
    @Inject(RULES_FROM_FILE) private readonly fromFile: GamificationRules,
    private readonly config: AppConfig,
    private readonly unitOfWork: UnitOfWork,
    private readonly versions: RulesVersionsRepository,
    private readonly profiles: UserProfileRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * On a database without versions (the first start), records RULES_FILE as the first version in
   * force and puts every user on it; otherwise says so when RULES_FILE is not what is in force.
   */
  async onApplicationBootstrap(): Promise<void> {
    const first = await this.unitOfWork.run(async (transaction) => {
      await this.versions.lockForChange(transaction);
      if ((await this.versions.newestVersion(transaction)) !== null) {
        return false;
      }
      const version = { version: this.fromFile.version, rules: this.fromFile, source: this.config.rulesFile, appliedBy: 'the first start (RULES_FILE)' };
      await this.versions.begin(transaction, version, this.clock.now());
      await this.profiles.adoptVersion(transaction, this.fromFile.version);
      await this.versions.complete(transaction, this.fromFile.version, this.clock.now());
      return true;
    });
    const inForce = await this.current();
    if (first) {
      this.logger.log(`rules version ${inForce.version} from ${this.config.rulesFile} recorded as the first rules in force`);
    } else if (JSON.stringify(inForce) !== JSON.stringify(this.fromFile)) {
      const file = `RULES_FILE ${this.config.rulesFile} (version ${this.fromFile.version}) is not the rules in force (version ${inForce.version}), which decide`;
      this.logger.warn(
        this.fromFile.version > inForce.version
          ? `${file}; to put the file in force: npm run rules -- apply ${this.config.rulesFile}`
          : `${file}; point RULES_FILE at the file of version ${inForce.version} (npm run rules -- history says which)`,
      );
    }
  }

  /** The rules deciding now, read in the caller's transaction. */
  async read(transaction: Transaction): Promise<GamificationRules> {
    const version = await this.versions.newestVersion(transaction);
    if (version === null) {
      throw new Error('no rules version is recorded: the process records RULES_FILE as the first one when it starts');
    }
    if (this.latest?.version === version) {
      return this.latest;
    }
    const record = await this.versions.find(transaction, version);
    const rules = parseRules(record!.rules, `rules version ${version} in the database`);
    if (this.latest === null || version > this.latest.version) {
      if (this.latest !== null) {
        this.logger.log(`rules version ${version} (${record!.source}, applied by ${record!.appliedBy}) decides from now on, after version ${this.latest.version}`);
      }
      this.latest = rules;
    }
    return rules;
  }

  /** The rules deciding now, for a reader that holds no transaction. */
  current(): Promise<GamificationRules> {
    return this.unitOfWork.read((statements) => this.read(statements));
  }
}
