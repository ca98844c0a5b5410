import { Injectable } from '@nestjs/common';
import { howToEarn } from '@app/domain';
import { RulesInForce } from '../rules-in-force/rules-in-force';

export interface BadgeCatalogEntry {
  readonly code: string;
  readonly name: string;
  readonly description: string;
  readonly howToEarn: string;
}

/** Every badge of the rules in force, in their order: what the dashboard shows, earned or not. */
@Injectable()
export class ListBadgesUseCase {
  constructor(private readonly rulesInForce: RulesInForce) {}

  async execute(): Promise<BadgeCatalogEntry[]> {
    const rules = await this.rulesInForce.current();
    return rules.badges.map((badge) => ({
      code: badge.code,
      name: badge.name,
      description: badge.description,
      howToEarn: howToEarn(badge, rules.skillMastery),
    }));
  }
}
