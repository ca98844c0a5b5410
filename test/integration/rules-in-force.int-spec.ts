import type { TestingModule } from '@nestjs/testing';
import {
  ApplyRulesCommand,
  ApplyRulesUseCase,
  ApplySessionBatchCommand,
  ApplySessionCompletedUseCase,
  GetProfileQuery,
  GetProfileUseCase,
  GetSkillsQuery,
  GetSkillsUseCase,
} from '@app/application';
import { loadRulesFile } from '@app/config';
import type { GamificationRules } from '@app/domain';
import { RulesVersionsRepository, UnitOfWork } from '@app/persistence';
import { aSessionCompleted, parsedSession } from '@app/testing';
import { startApplication } from '../support/application-harness';
import { ownDatabaseUrl } from '../support/test-env';

const shipped = loadRulesFile('config/rules.yaml');
const now = new Date('2026-11-26T12:00:00Z');
/**
 * A flatter level curve: level n needs 25 * n * (n - 1) XP (50, 150, 300, …) instead of 50 * n * (n - 1);
 * and arrays a top-level skill, no longer under algorithms.
 */
const flatter: GamificationRules = {
  ...shipped,
  version: shipped.version + 1,
  levels: { ...shipped.levels, xpFactor: 25 },
  skills: shipped.skills.map((skill) => (skill.code === 'arrays' ? { ...skill, parent: null } : skill)),
};

/** What the profile and the skills show while an apply is under way, on a database of its own. */
describe('the rules in force, as the profile and the skills show them during an apply', () => {
  let moduleRef: TestingModule;

  beforeAll(async () => {
    moduleRef = await startApplication(ownDatabaseUrl('gamification_test_rules_in_force'), { now: () => now });
    // 50 + 45 + 30 = 125 XP under the shipped version: level 2 (100), 25 into it, 200 to level 3 (300).
    await moduleRef
      .get(ApplySessionCompletedUseCase)
      .executeBatch(
        new ApplySessionBatchCommand([parsedSession(aSessionCompleted({ userId: 'alice', completedAt: '2026-11-25T09:00:00Z', durationSeconds: 1800, score: 95, timezone: 'UTC', skills: ['arrays'] }), now)], 'kafka'),
      );
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  const profile = async (userId: string) => {
    const { level, totalXp, xpIntoLevel, xpForNextLevel } = await moduleRef.get(GetProfileUseCase).execute(new GetProfileQuery(userId));
    return { level, totalXp, xpIntoLevel, xpForNextLevel };
  };
  /** The nodes with sessions in the skills route, with their parent and XP. */
  const practised = async (userId: string) =>
    (await moduleRef.get(GetSkillsUseCase).execute(new GetSkillsQuery(userId))).skills.filter((node) => node.sessions > 0).map(({ code, parent, xp }) => ({ code, parent, xp }));

  it('shows a user not reached yet on their own version’s curve and a new user on the new one, until the apply reaches them', async () => {
    // Where a killed apply of the next version leaves things: the version recorded, nobody walked yet.
    await moduleRef
      .get(UnitOfWork)
      .run((transaction) => moduleRef.get(RulesVersionsRepository).begin(transaction, { version: flatter.version, rules: flatter, source: 'flatter.yaml', appliedBy: 'test' }, now));

    expect(await profile('alice')).toEqual({ level: 2, totalXp: 125, xpIntoLevel: 25, xpForNextLevel: 200 });
    // Her skills too, on her version's tree: arrays under algorithms.
    expect(await practised('alice')).toEqual([
      { code: 'algorithms', parent: null, xp: 125 },
      { code: 'arrays', parent: 'algorithms', xp: 125 },
    ]);
    // Never seen: the Lobby on the next version's curve, 50 XP to level 2.
    expect(await profile('bob')).toEqual({ level: 1, totalXp: 0, xpIntoLevel: 0, xpForNextLevel: 50 });

    const result = await moduleRef.get(ApplyRulesUseCase).execute(new ApplyRulesCommand(flatter, 'flatter.yaml', 'test'));

    expect(result).toMatchObject({ status: 'applied', resumed: true, toVersion: flatter.version });
    // 125 XP on the flatter curve: level 2 (50), 75 into it, 100 to level 3 (150).
    expect(await profile('alice')).toEqual({ level: 2, totalXp: 125, xpIntoLevel: 75, xpForNextLevel: 100 });
    expect(await practised('alice')).toEqual([{ code: 'arrays', parent: null, xp: 125 }]);
  });
});
