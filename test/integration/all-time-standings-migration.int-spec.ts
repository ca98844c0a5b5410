import { ownMigratedDatabase, undoMigrationsThrough } from '../support/migrations';

const MIGRATION = 'KeepAllTimeStandingsOnProfiles1795750000000';

/**
 * Migration KeepAllTimeStandingsOnProfiles on a database with all-time rows in leaderboard_entries:
 * each moves onto its user's profile (the time, and the next revision; the XP is the profile's total), a
 * profile with XP and no row takes its last update as its time, and the weeks and months stay.
 */
describe('all-time standings across the KeepAllTimeStandingsOnProfiles migration', () => {
  const database = ownMigratedDatabase('gamification_test_all_time_migration');

  it('moves each all-time row onto its profile, and back', async () => {
    const dataSource = database();
    await undoMigrationsThrough(dataSource, MIGRATION);
    await dataSource.query(
      `INSERT INTO user_profiles (user_id, total_xp, level, updated_at) VALUES
         ('ana', 300, 2, '2026-11-20T10:00:00Z'), ('bo', 120, 1, '2026-11-21T10:00:00Z'), ('cy', 0, 1, '2026-11-22T10:00:00Z')`,
    );
    await dataSource.query(
      `INSERT INTO leaderboard_entries (user_id, code, period_key, xp, reached_at, revision) VALUES
         ('ana', 'ALL_TIME_XP', 'all', 300, '2026-11-19T08:30:00.123Z', 7),
         ('ana', 'WEEKLY_XP', '2026-W47', 180, '2026-11-19T08:30:00.123Z', 3)`,
    );

    await dataSource.runMigrations({ transaction: 'each' });
    const profiles = await dataSource.query(`SELECT user_id, xp_reached_at, xp_revision FROM user_profiles ORDER BY user_id`);
    expect(profiles.map(({ user_id, xp_reached_at, xp_revision }: { user_id: string; xp_reached_at: Date | null; xp_revision: string }) => [user_id, xp_reached_at?.toISOString() ?? null, Number(xp_revision)])).toEqual([
      ['ana', '2026-11-19T08:30:00.123Z', 8],
      ['bo', '2026-11-21T10:00:00.000Z', 1],
      ['cy', null, 0],
    ]);
    expect(await dataSource.query(`SELECT user_id, code, period_key FROM leaderboard_entries`)).toEqual([{ user_id: 'ana', code: 'WEEKLY_XP', period_key: '2026-W47' }]);

    await undoMigrationsThrough(dataSource, MIGRATION);
    const entries = await dataSource.query(`SELECT user_id, code, period_key, xp, reached_at, revision FROM leaderboard_entries ORDER BY user_id, code`);
    expect(entries.map(({ user_id, code, period_key, xp, reached_at, revision }: Record<string, string & Date>) => [user_id, code, period_key, Number(xp), reached_at.toISOString(), Number(revision)])).toEqual([
      ['ana', 'ALL_TIME_XP', 'all', 300, '2026-11-19T08:30:00.123Z', 8],
      ['ana', 'WEEKLY_XP', '2026-W47', 180, '2026-11-19T08:30:00.123Z', 3],
      ['bo', 'ALL_TIME_XP', 'all', 120, '2026-11-21T10:00:00.000Z', 1],
    ]);
    await dataSource.runMigrations({ transaction: 'each' });
  });
});
