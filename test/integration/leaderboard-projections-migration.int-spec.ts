import { ownMigratedDatabase, undoMigrationsThrough } from '../support/migrations';

/**
 * Migration LightenLeaderboardWrites on a database that has projections queued the old way (a JSON
 * array of [userId, code, periodKey]): they become the users and the boards and periods they name,
 * so that a projection lost before the upgrade is still caught up after it; and back again.
 */
describe('queued leaderboard projections across the LightenLeaderboardWrites migration', () => {
  const database = ownMigratedDatabase('gamification_test_projections_migration');

  it('turns each queued projection’s entries into its users and boards, and back', async () => {
    const dataSource = database();
    await undoMigrationsThrough(dataSource, 'LightenLeaderboardWrites1795740000000');
    await dataSource.query(
      `INSERT INTO leaderboard_projections (entries, queued_at) VALUES
         ($1::jsonb, now() - interval '1 minute'), ($2::jsonb, now())`,
      [
        JSON.stringify([['ana', 'WEEKLY_XP', '2026-W48'], ['ana', 'ALL_TIME_XP', 'all'], ['bo', 'WEEKLY_XP', '2026-W48']]),
        JSON.stringify([['cy', 'MONTHLY_XP', '2026-11']]),
      ],
    );

    await dataSource.runMigrations({ transaction: 'each' });
    const upgraded = await dataSource.query(`SELECT user_ids, boards FROM leaderboard_projections ORDER BY queued_at`);
    expect(upgraded.map(({ user_ids, boards }: { user_ids: string[]; boards: string[] }) => [[...user_ids].sort(), [...boards].sort()])).toEqual([
      [['ana', 'bo'], ['ALL_TIME_XP:all', 'WEEKLY_XP:2026-W48']],
      [['cy'], ['MONTHLY_XP:2026-11']],
    ]);

    await undoMigrationsThrough(dataSource, 'LightenLeaderboardWrites1795740000000');
    const downgraded = await dataSource.query(`SELECT entries FROM leaderboard_projections ORDER BY queued_at`);
    const sorted = (entries: string[][]) => entries.map((entry) => entry.join(' ')).sort();
    expect(downgraded.map(({ entries }: { entries: string[][] }) => sorted(entries))).toEqual([
      ['ana ALL_TIME_XP all', 'ana WEEKLY_XP 2026-W48', 'bo ALL_TIME_XP all', 'bo WEEKLY_XP 2026-W48'],
      ['cy MONTHLY_XP 2026-11'],
    ]);
    await dataSource.runMigrations({ transaction: 'each' });
  });
});
