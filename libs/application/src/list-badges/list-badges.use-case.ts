import { Inject, Injectable } from '@nestjs/common';
import { GAMIFICATION_RULES } from '@app/config';
import { howToEarn, type GamificationRules } from '@app/domain';

export interface BadgeCatalogEntry {
  readonly code: string;
  readonly name: string;
  readonly description: string;
  readonly howToEarn: string;
}

/** Every badge of the rules file, in its order: what the dashboard shows, earned or not. */
@Injectable()
export class ListBadgesUseCase {
  constructor(@Inject(GAMIFICATION_RULES) private readonly rules: GamificationRules) {}

  execute(): BadgeCatalogEntry[] {
    return this.rules.badges.map((badge) => ({
      code: badge.code,
      name: badge.name,
      description: badge.description,
      howToEarn: howToEarn(badge),
    }));
  }
}
