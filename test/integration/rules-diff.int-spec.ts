import type { TestingModule } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ApplySessionBatchCommand, ApplySessionCompletedUseCase, DiffRulesCommand, DiffRulesUseCase } from '@app/application';
import { loadRulesFile } from '@app/config';
import { RulesVersionError, type GamificationRules } from '@app/domain';
import { aSessionCompleted, parsedSession } from '@app/testing';
import { startApplication } from '../support/application-harness';
import { ownDatabaseUrl } from '../support/test-env';

const shipped = loadRulesFile('config/rules.yaml');
const now = new Date('2026-11-26T12:00:00Z');


/** The dry run reads every user, so it runs on a database of its own that holds only this file's users. */
describe('diff of candidate rules (dry run over every user)', () => {
  let moduleRef: TestingModule;
  let dataSource: DataSource;

  beforeAll(async () => {
    moduleRef = await startApplication(ownDatabaseUrl('gamification_test_rules_diff'), { now: () => now });
    dataSource = moduleRef.get(getDataSourceToken());
    const session = (userId: string, completedAt: string, durationSeconds: number, score: number | null) =>
      parsedSession(aSessionCompleted({ userId, completedAt, durationSeconds, score, timezone: 'UTC' }), now);
    await moduleRef.get(ApplySessionCompletedUseCase).executeBatch(
      new ApplySessionBatchCommand(
        [
          // 50 + 45 + 30 and 50 + 0 + 10 under the shipped rules: 185 XP, level 2, FIRST_STEPS and HIGH_SCORER.
          session('alice', '2026-11-20T09:00:00Z', 1800, 95),
          session('alice', '2026-11-21T09:00:00Z', 600, null),
          // 50 + 20 + 30: 100 XP, level 2.
          session('bob', '2026-11-21T10:00:00Z', 1800, 40),
          // Too short to count: 0 XP, level 1.
          session('carol', '2026-11-21T11:00:00Z', 30, null),
        ],
        'kafka',
      ),
    );
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  const recorded = () => dataSource.query(`SELECT user_id, total_xp, level FROM user_profiles ORDER BY user_id`);

  it('reports how many users would change, the XP deltas, and the badges and levels newly reached, changing nothing', async () => {
    const candidate: GamificationRules = {
      ...shipped,
      version: shipped.version + 1,
      xp: { ...shipped.xp, base: 10 },
      badges: [...shipped.badges, { code: 'TWO_IN_A_ROW', name: 'Two in a Row', description: 'Practise 2 days in a row', when: { metric: 'streakDays', atLeast: 2 } }],
    };
    const before = await recorded();
    const progress: Array<{ scanned: number; total: number }> = [];

    const summary = await moduleRef.get(DiffRulesUseCase).execute(new DiffRulesCommand(candidate, 2), (step) => progress.push(step));

    // alice: 10 + 45 + 30 + 10 + 0 + 10 = 105 (−80), keeps level 2, earns TWO_IN_A_ROW; bob: 60 (−40),
    // keeps the level 2 he reached although 60 XP gives level 1; carol: unchanged.
    expect(summary).toEqual({
      usersScanned: 3,
      usersChanged: { any: 2, xp: 2, level: 0, badges: 1 },
      xpDelta: { min: -80, p50: -40, p99: 0, max: 0 },
      newlyEarnedBadges: { TWO_IN_A_ROW: 1 },
      newlyReachedLevels: {},
    });
    expect(progress).toEqual([
      { scanned: 0, total: 3 },
      { scanned: 2, total: 3 },
      { scanned: 3, total: 3 },
    ]);
    expect(await recorded()).toEqual(before);
  });

  it('counts the levels that generous rules would newly reach', async () => {
    const generous: GamificationRules = { ...shipped, version: shipped.version + 1, xp: { ...shipped.xp, base: 500 } };

    const summary = await moduleRef.get(DiffRulesUseCase).execute(new DiffRulesCommand(generous));

    // alice: 500 + 45 + 30 + 500 + 10 = 1085 (level 5: 1000); bob: 550 (level 4: 600 not reached, so 3).
    expect(summary).toMatchObject({
      usersChanged: { any: 2, xp: 2, level: 2, badges: 1 },
      xpDelta: { min: 0, max: 900 },
      newlyEarnedBadges: { LEVEL_5: 1 },
      newlyReachedLevels: { '3': 1, '5': 1 },
    });
  });

  it('refuses rules whose version is not higher than the version in force, naming the field', async () => {
    await expect(moduleRef.get(DiffRulesUseCase).execute(new DiffRulesCommand({ ...shipped, xp: { ...shipped.xp, base: 10 } }))).rejects.toThrow(
      RulesVersionError,
    );
    await expect(moduleRef.get(DiffRulesUseCase).execute(new DiffRulesCommand({ ...shipped, version: shipped.version - 1 }))).rejects.toThrow(
      new RegExp(`^version: ${shipped.version - 1} is not higher than the version in force \\(${shipped.version}\\)`),
    );
  });
});
