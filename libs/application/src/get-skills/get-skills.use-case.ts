import { Injectable } from '@nestjs/common';
import { SkillTree, skillProgress } from '@app/domain';
import { ProcessedEventsRepository, UnitOfWork, UserProfileRepository } from '@app/persistence';
import { RulesInForce } from '../rules-in-force/rules-in-force';
import type { GetSkillsQuery } from './get-skills.query';
import { skillsView, type SkillsView } from './skills.view';

/**
 * Every node of the skill tree with what the user's counted sessions gave it: a fold over the session
 * facts, read when asked (a user's facts are a few thousand rows at most a year), under the rules
 * version the user is on. While an apply has not reached the user yet, their facts' outcomes and XP,
 * and the skill XP their badges are judged on, are still the older version's: so is the tree.
 */
@Injectable()
export class GetSkillsUseCase {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly rulesInForce: RulesInForce,
    private readonly processedEvents: ProcessedEventsRepository,
    private readonly profiles: UserProfileRepository,
  ) {}

  async execute({ userId }: GetSkillsQuery): Promise<SkillsView> {
    const { rules, sessions } = await this.unitOfWork.read(async (statements) => {
      const version = await this.profiles.rulesVersionOf(statements, userId);
      return {
        rules: version === null ? await this.rulesInForce.newestIn(statements) : await this.rulesInForce.rulesOf(statements, version),
        sessions: await this.processedEvents.skillSessionsOf(statements, userId),
      };
    });
    return skillsView(skillProgress(new SkillTree(rules.skills), rules.skillMastery, sessions));
  }
}
