import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { achievementOf, howToEarn, issuerProfile, OpenBadgeIds, type Achievement, type GamificationRules, type IssuerProfile } from '@app/domain';
import { RulesVersionsRepository, UnitOfWork, type HeldBadge } from '@app/persistence';
import { ApplicationError } from '../errors/application.error';
import { RulesInForce } from '../rules-in-force/rules-in-force';

/**
 * The engine as an Open Badges issuer: its profile, and each badge as an Achievement under
 * PUBLIC_BASE_URL, one per rules version that defines it (a later version may change its criteria).
 */
@Injectable()
export class BadgeAchievements {
  readonly ids: OpenBadgeIds;
  readonly issuer: IssuerProfile;

  constructor(
    config: AppConfig,
    private readonly unitOfWork: UnitOfWork,
    private readonly rulesInForce: RulesInForce,
    private readonly versions: RulesVersionsRepository,
  ) {
    this.ids = new OpenBadgeIds(config.publicBaseUrl);
    this.issuer = issuerProfile(this.ids, config.openBadges.issuerName);
  }

  /** The badge as the rules in force define it; BADGE_NOT_FOUND for a code they do not have. */
  current(code: string): Promise<Achievement> {
    return this.unitOfWork.read(async (statements) => this.required(this.achievementIn(await this.rulesInForce.newestIn(statements), code), code));
  }

  /** The badge as rules version `version` defined it; BADGE_NOT_FOUND for a version or a code it does not have. */
  ofVersion(code: string, version: number): Promise<Achievement> {
    return this.unitOfWork.read(async (statements) => {
      const recorded = (await this.versions.find(statements, version)) !== null;
      return this.required(recorded ? this.achievementIn(await this.rulesInForce.rulesOf(statements, version), code) : null, code, version);
    });
  }

  /**
   * The badge as the rules it was awarded under defined it: the newest version started by the award
   * whose definition has the name and description the award recorded (an award made during an apply,
   * to a user the apply had not reached yet, was decided by the version before), else the newest
   * started by then. A badge is never taken out of the rules (rules-version.ts), so one always has it.
   */
  awarded(held: HeldBadge): Promise<Achievement> {
    return this.unitOfWork.read(async (statements) => {
      const startedBefore = (await this.versions.history(statements)).filter((record) => record.startedAt <= held.awardedAt);
      const candidates: Achievement[] = [];
      for (const { version } of startedBefore) {
        const found = this.achievementIn(await this.rulesInForce.rulesOf(statements, version), held.code);
        if (found !== null) {
          candidates.push(found);
        }
      }
      const asRecorded = candidates.find((candidate) => candidate.name === held.name && candidate.description === held.description);
      // Two processes' clocks may date an award just before the version that brought its badge in: the rules in force have it.
      return asRecorded ?? candidates[0] ?? this.required(this.achievementIn(await this.rulesInForce.newestIn(statements), held.code), held.code);
    });
  }

  private required(achievement: Achievement | null, code: string, version?: number): Achievement {
    if (achievement === null) {
      throw new ApplicationError('BADGE_NOT_FOUND', version === undefined ? `no badge has the code ${code}` : `rules version ${version} has no badge ${code}`);
    }
    return achievement;
  }

  private achievementIn(rules: GamificationRules, code: string): Achievement | null {
    const badge = rules.badges.find((candidate) => candidate.code === code);
    return badge === undefined ? null : achievementOf(this.ids, this.issuer, { ...badge, howToEarn: howToEarn(badge, rules.skillMastery) }, rules.version);
  }
}
