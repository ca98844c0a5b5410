import { ownMigratedDatabase, undoMigrationsThrough } from '../support/migrations';

const MIGRATION = 'KeepSkillXpOnProfiles1795760000000';

const treeOf = (skills: ReadonlyArray<{ code: string; parent?: string }>) => JSON.stringify({ skills: skills.map((skill) => ({ name: skill.code, ...skill })) });

/**
 * Migration KeepSkillXpOnProfiles on a database with session facts from before it: each user's skill
 * XP is folded from their counted facts under the tree of their own rules version, a parent once per
 * session, with unknown codes, uncounted facts and legacy outcomes left out.
 */
describe('skill XP across the KeepSkillXpOnProfiles migration', () => {
  const database = ownMigratedDatabase('gamification_test_skill_xp_migration');

  it('folds the facts of each user under their version’s tree, and drops the column going down', async () => {
    const dataSource = database();
    await undoMigrationsThrough(dataSource, MIGRATION);
    await dataSource.query(
      `INSERT INTO rules_versions (version, rules, source, applied_by, started_at) VALUES
         (5, $1, 'v5.yaml', 'test', now()), (6, $2, 'v6.yaml', 'test', now())`,
      [
        treeOf([{ code: 'algorithms' }, { code: 'arrays', parent: 'algorithms' }, { code: 'graphs', parent: 'algorithms' }, { code: 'communication' }]),
        treeOf([{ code: 'communication' }, { code: 'arrays' }]),
      ],
    );
    await dataSource.query(
      `INSERT INTO user_profiles (user_id, total_xp, level, rules_version) VALUES ('ana', 220, 2, 5), ('bo', 80, 1, 6), ('cy', 0, 1, 5)`,
    );
    await dataSource.query(
      `INSERT INTO processed_events (event_id, user_id, session_id, source, outcome, xp_awarded, skills) VALUES
         ('a1', 'ana', 's1', 'kafka', 'counted', 100, '{arrays,graphs,juggling}'),
         ('a2', 'ana', 's2', 'kafka', 'counted', 50, '{communication,communication}'),
         ('a3', 'ana', 's3', 'kafka', 'not-counted', 0, '{arrays}'),
         ('a4', 'ana', 's4', 'kafka', 'counted', 70, NULL),
         ('b1', 'bo', 's5', 'kafka', 'counted', 80, '{arrays,graphs}'),
         ('c1', 'cy', 's6', 'kafka', 'counted', 60, '{}')`,
    );

    await dataSource.runMigrations({ transaction: 'each' });
    const profiles: Array<{ user_id: string; skill_xp: Record<string, number> }> = await dataSource.query(`SELECT user_id, skill_xp FROM user_profiles ORDER BY user_id`);
    expect(profiles).toEqual([
      // arrays and graphs in one session: algorithms once.
      { user_id: 'ana', skill_xp: { algorithms: 100, arrays: 100, graphs: 100, communication: 50 } },
      // Under version 6, arrays is a top-level skill and graphs is unknown.
      { user_id: 'bo', skill_xp: { arrays: 80 } },
      { user_id: 'cy', skill_xp: {} },
    ]);

    await undoMigrationsThrough(dataSource, MIGRATION);
    const columns = await dataSource.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'user_profiles' AND column_name = 'skill_xp'`);
    expect(columns).toEqual([]);
    await dataSource.runMigrations({ transaction: 'each' });
  });
});
