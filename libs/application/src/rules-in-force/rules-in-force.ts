import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig, parseRules, RULES_FROM_FILE } from '@app/config';
import { sameRules, type GamificationRules } from '@app/domain';
import { RulesVersionsRepository, UnitOfWork, UserProfileRepository, type Statements, type Transaction } from '@app/persistence';
import { Clock } from '../clock/clock';

/**
 * The rules in force, as every process reads them: the newest version in rules_versions. A newly
 * applied version is picked up by the next read, without a restart. Versions are parsed once each
 * and kept. Stored rules are parsed with today's validator: a release that changes the rules' shape
 * must still accept every stored version (a new knob defaults to its "off" value, contract section 6).
 */
@Injectable()
export class RulesInForce implements OnApplicationBootstrap {
  private readonly logger = new Logger(RulesInForce.name);
  private readonly parsed = new Map<number, GamificationRules>();
  private newest = 0;

  constructor(
    @Inject(RULES_FROM_FILE) private readonly fromFile: GamificationRules,
    private readonly config: AppConfig,
    private readonly unitOfWork: UnitOfWork,
    private readonly versions: RulesVersionsRepository,
    private readonly profiles: UserProfileRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * A worker or an api starting on a database without versions records RULES_FILE as the first; any
   * process says so when RULES_FILE is not what is in force. The operator's command only reads.
   */
  async onApplicationBootstrap(): Promise<void> {
    const first = this.config.role !== 'operator' && (await this.unitOfWork.run((transaction) => this.recordFirst(transaction)));
    const inForce = await this.current();
    if (first) {
      this.logger.log(`rules version ${inForce.version} from ${this.config.rulesFile} recorded as the first rules in force`);
    } else if (!sameRules(inForce, this.fromFile)) {
      const file = `RULES_FILE ${this.config.rulesFile} (version ${this.fromFile.version}) is not the rules in force (version ${inForce.version}), which decide`;
      this.logger.warn(
        this.fromFile.version > inForce.version
          ? `${file}; to put the file in force: npm run rules -- apply ${this.config.rulesFile}`
          : `${file}; point RULES_FILE at the file of version ${inForce.version} (npm run rules -- history says which)`,
      );
    }
  }

  /**
   * Records RULES_FILE as the first version, and puts every user on it, if no version is recorded;
   * true when it did. Takes the change lock for the rest of the transaction.
   */
  async recordFirst(transaction: Transaction): Promise<boolean> {
    await this.versions.lockForChange(transaction);
    if ((await this.versions.newestVersion(transaction)) !== null) {
      return false;
    }
    const { version } = this.fromFile;
    await this.versions.begin(transaction, { version, rules: this.fromFile, source: this.config.rulesFile, appliedBy: 'the first start (RULES_FILE)' }, this.clock.now());
    const adopted = await this.profiles.adoptVersion(transaction, version);
    await this.versions.complete(transaction, version, this.clock.now());
    this.logger.log(`${adopted} users already known put on rules version ${version}`);
    return true;
  }


  /** The rules deciding now, for a reader; RULES_FILE's until a worker or an api has recorded them. */
  current(): Promise<GamificationRules> {
    return this.unitOfWork.read((statements) => this.newestIn(statements));
  }

  /** As `current`, in the caller's statements. */
  async newestIn(statements: Statements): Promise<GamificationRules> {
    const version = await this.versions.newestVersion(statements);
    return version === null ? this.fromFile : this.rulesOf(statements, version);
  }

  /** The rules of a version, for a reader that holds no transaction; RULES_FILE's when none is recorded. */
  ofVersion(version: number | null): Promise<GamificationRules> {
    const known = version === null ? this.fromFile : this.parsed.get(version);
    return known !== undefined ? Promise.resolve(known) : this.unitOfWork.read((statements) => this.rulesOf(statements, version));
  }

  /** The rules of a recorded version (parsed once, then kept). */
  async rulesOf(statements: Statements, version: number | null): Promise<GamificationRules> {
    if (version === null) {
      throw new Error('no rules version is recorded: a worker or an api records RULES_FILE as the first one when it starts');
    }
    const known = this.parsed.get(version);
    if (known !== undefined) {
      return known;
    }
    const record = (await this.versions.find(statements, version))!;
    const rules = parseRules(record.rules, `rules version ${version} in the database`);
    this.parsed.set(version, rules);
    if (version > this.newest) {
      if (this.newest > 0) {
        this.logger.log(`rules version ${version} (${record.source}, applied by ${record.appliedBy}) decides from now on, after version ${this.newest}`);
      }
      this.newest = version;
    }
    return rules;
  }
}
