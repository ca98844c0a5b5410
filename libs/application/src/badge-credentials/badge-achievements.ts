import { Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { achievementOf, howToEarn, issuerProfile, OpenBadgeIds, type Achievement, type GamificationRules, type IssuerProfile } from '@app/domain';
import { RulesVersionsRepository, UnitOfWork } from '@app/persistence';
import { RulesInForce } from '../rules-in-force/rules-in-force';

/**
 * The engine as an Open Badges issuer: its profile, and each badge of the rules as an Achievement
 * under PUBLIC_BASE_URL.
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

  /** The badge as the rules in force describe it, or null for a code they do not have. */
  find(code: string): Promise<Achievement | null> {
    return this.unitOfWork.read(async (statements) => this.achievementIn(await this.rulesInForce.newestIn(statements), code));
  }

  /**
   * The badge as the rules in force at `instant` described it: the criteria a user met when it was
   * awarded then, though a later version may ask more. A badge is never taken out of the rules
   * (rules-version.ts), so every badge ever awarded has one.
   */
  findAt(code: string, instant: Date): Promise<Achievement | null> {
    return this.unitOfWork.read(async (statements) => {
      const then = (await this.versions.history(statements)).find((record) => record.startedAt <= instant);
      const rules = then === undefined ? await this.rulesInForce.newestIn(statements) : await this.rulesInForce.rulesOf(statements, then.version);
      return this.achievementIn(rules, code);
    });
  }

  private achievementIn(rules: GamificationRules, code: string): Achievement | null {
    const badge = rules.badges.find((candidate) => candidate.code === code);
    return badge === undefined ? null : achievementOf(this.ids, this.issuer, { ...badge, howToEarn: howToEarn(badge, rules.skillMastery) });
  }
}
