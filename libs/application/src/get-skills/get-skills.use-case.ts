import { Injectable } from '@nestjs/common';
import { SkillTree, skillProgress } from '@app/domain';
import { ProcessedEventsRepository, UnitOfWork } from '@app/persistence';
import { RulesInForce } from '../rules-in-force/rules-in-force';
import type { GetSkillsQuery } from './get-skills.query';
import { skillsView, type SkillsView } from './skills.view';

/**
 * Every node of the skill tree in force with what the user's counted sessions gave it: a fold over
 * the session facts, read when asked (a user's facts are a few thousand rows at most a year).
 */
@Injectable()
export class GetSkillsUseCase {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly rulesInForce: RulesInForce,
    private readonly processedEvents: ProcessedEventsRepository,
  ) {}

  async execute({ userId }: GetSkillsQuery): Promise<SkillsView> {
    const { rules, sessions } = await this.unitOfWork.read(async (statements) => ({
      rules: await this.rulesInForce.newestIn(statements),
      sessions: await this.processedEvents.skillSessionsOf(statements, userId),
    }));
    return skillsView(skillProgress(new SkillTree(rules.skills), rules.skillMastery, sessions));
  }
}
