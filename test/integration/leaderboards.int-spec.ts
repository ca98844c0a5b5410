import { spawnSync } from 'node:child_process';
import type { TestingModule } from '@nestjs/testing';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import {
  ApplySessionBatchCommand,
  ApplySessionCompletedUseCase,
  ClaimChallengeCommand,
  ClaimChallengeUseCase,
  FinishLeaderboardPeriodsUseCase,
  GetLeaderboardQuery,
  GetLeaderboardUseCase,
  GetProfileQuery,
  GetProfileUseCase,
  LeaderboardBuilder,
  type PeriodSelector,
} from '@app/application';
import { appEntry, projectRoot } from '@app/dev-stack';
import { createDataSource } from '@app/persistence';
import { aSessionCompleted, eventually, parsedSession, type SessionCompletedMessage } from '@app/testing';
import { startApplication } from '../support/application-harness';
import { ownDatabaseUrl, workerTestEnv } from '../support/test-env';

/**
 * The boards of contract section 9 on a real Postgres and Redis, with a clock the test moves (in 2030).
 * Sessions of the default rules with duration 1800 s: 50 + floor(score / 10) * 5 + 30 XP.
 */
describe('leaderboards: XP per period, ranks, finals', () => {
  const env = workerTestEnv();
  const url = ownDatabaseUrl('gamification_test_leaderboards');
  let current = new Date('2030-11-20T12:00:00Z');
  let app: TestingModule;
  let dataSource: DataSource;
  let redis: Redis;

  const at = (instant: string) => {
    current = new Date(instant);
  };
  const apply = async (...sessions: SessionCompletedMessage[]) => {
    const outcomes = await app.get(ApplySessionCompletedUseCase).executeBatch(new ApplySessionBatchCommand(sessions.map((session) => parsedSession(session, current)), 'kafka'));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(sessions.map(() => 'applied'));
  };
  const session = (userId: string, completedAt: string, score: number, timezone = 'UTC') => aSessionCompleted({ userId, completedAt, score, timezone, durationSeconds: 1800 });
  const board = (userId: string, code: string, period: PeriodSelector = 'current', page: ConstructorParameters<typeof GetLeaderboardQuery>[3] = { around: false, offset: 0, limit: 10 }) =>
    app.get(GetLeaderboardUseCase).execute(new GetLeaderboardQuery(userId, code, period, page));
  const built = async (code: string, periodKey: string) => (await redis.exists(`${env.REDIS_KEY_PREFIX}lb:${code}:${periodKey}:built`)) === 1;
  const ranking = (view: Awaited<ReturnType<typeof board>>) => view.entries.map(({ rank, userId, xp }) => `${rank} ${userId} ${xp}`);

  beforeAll(async () => {
    app = await startApplication(url, { now: () => current }, env);
    dataSource = createDataSource({ url, poolSize: 2 }, 'leaderboard-tests');
    await dataSource.initialize();
    redis = new Redis(env.REDIS_URL);
  });

  afterAll(async () => {
    const keys = await redis.keys(`${env.REDIS_KEY_PREFIX}*`);
    if (keys.length > 0) {
      await redis.del(...keys);
    }
    redis.disconnect();
    await dataSource.destroy();
    await app.close();
  });

  it('ranks by XP, then who reached it first (engine time), then userId; Redis and Postgres agree; around=me', async () => {
    // Wednesday 20 November 2030 is in ISO week 2030-W47 (Monday the 18th to Sunday the 24th).
    at('2030-11-20T09:00:00.000Z');
    await apply(session('carol', '2030-11-20T08:00:00Z', 80)); // 120 XP, reached at 09:00
    at('2030-11-20T10:00:00.000Z');
    // One run, one engine time: equal XP and time, so userId decides, by its bytes (bob-10 before bob-2).
    await apply(session('bob-2', '2030-11-20T09:30:00Z', 80), session('bob-10', '2030-11-20T09:30:00Z', 80), session('alice', '2030-11-20T09:40:00Z', 0));
    at('2030-11-20T11:00:00.000Z');
    await apply(session('dave', '2030-11-20T10:30:00Z', 100), session('alice', '2030-11-20T10:45:00Z', 0)); // dave 130; alice 80 + 80 = 160

    const fromPostgres = await board('bob-10', 'WEEKLY_XP');
    expect(fromPostgres.period).toEqual({ key: '2030-W47', start: '2030-11-18T00:00:00.000Z', end: '2030-11-25T00:00:00.000Z', final: false });
    expect(ranking(fromPostgres)).toEqual(['1 alice 160', '2 dave 130', '3 carol 120', '4 bob-10 120', '5 bob-2 120']);
    expect([fromPostgres.participants, fromPostgres.me]).toEqual([5, { rank: 4, xp: 120 }]);

    // The first read found the board missing in Redis and started its build from Postgres.
    await app.get(LeaderboardBuilder).build('WEEKLY_XP', '2030-W47', null);
    expect(await built('WEEKLY_XP', '2030-W47')).toBe(true);
    expect(await board('bob-10', 'WEEKLY_XP')).toEqual(fromPostgres);

    // Writes after the build reach Redis after their commit: bob-2 passes carol and bob-10.
    at('2030-11-20T12:00:00.000Z');
    await apply(session('bob-2', '2030-11-20T11:30:00Z', 0));
    const after = await board('carol', 'WEEKLY_XP', 'current', { around: true });
    expect(ranking(after)).toEqual(['1 bob-2 200', '2 alice 160', '3 dave 130', '4 carol 120', '5 bob-10 120']);
    expect(after.me).toEqual({ rank: 4, xp: 120 });
    expect((await board('erin', 'WEEKLY_XP', 'current', { around: true })).entries).toEqual([]);
    expect(ranking(await board('carol', 'ALL_TIME_XP'))).toEqual(ranking(after));
    expect((await board('carol', 'ALL_TIME_XP')).period).toEqual({ key: 'all', start: null, end: null, final: false });
  });

  it('builds a flushed board again from Postgres, answering from Postgres meanwhile', async () => {
    const before = await board('dave', 'WEEKLY_XP');
    await redis.del(...(await redis.keys(`${env.REDIS_KEY_PREFIX}lb:WEEKLY_XP:*`)));
    expect(await board('dave', 'WEEKLY_XP')).toEqual(before);
    await app.get(LeaderboardBuilder).build('WEEKLY_XP', '2030-W47', null);
    expect(await built('WEEKLY_XP', '2030-W47')).toBe(true);
    expect(await board('dave', 'WEEKLY_XP')).toEqual(before);
  });

  it('npm run leaderboards:rebuild builds a board from Postgres with progress, and refuses a period key without a board', async () => {
    const before = await board('dave', 'WEEKLY_XP', { key: '2030-W47' });
    await redis.del(...(await redis.keys(`${env.REDIS_KEY_PREFIX}lb:WEEKLY_XP:*`)));
    const rebuild = (...args: string[]) =>
      spawnSync(process.execPath, [appEntry('cli'), 'leaderboards', 'rebuild', ...args], {
        cwd: projectRoot(),
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, REDIS_URL: env.REDIS_URL, REDIS_KEY_PREFIX: env.REDIS_KEY_PREFIX },
        encoding: 'utf8',
      });
    const result = rebuild('--board=WEEKLY_XP', '--period=2030-W47');
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 0, stdout: 'WEEKLY_XP 2030-W47: built from Postgres, 5 standings\n' });
    expect(result.stderr).toContain('WEEKLY_XP 2030-W47 [##############################] 5/5 standings (100%)');
    expect(await built('WEEKLY_XP', '2030-W47')).toBe(true);
    expect(await board('dave', 'WEEKLY_XP', { key: '2030-W47' })).toEqual(before);
    const refused = rebuild('--period=2030-W47');
    expect([refused.status, refused.stderr]).toEqual([1, expect.stringMatching(/^--period=2030-W47 names one board's period: give --board too\n/)]);
    const unknown = rebuild('--board=DAILY_XP');
    expect([unknown.status, unknown.stderr]).toEqual([1, 'No leaderboard DAILY_XP; GET /gamification/leaderboards lists them.\n']);
  });

  it('counts a claim toward the period of the claim, a session toward the period of its completedAt', async () => {
    // Tokyo is UTC+9: Monday 25 November 08:00 there is Sunday 23:00 UTC, in the boards' week 2030-W47.
    at('2030-11-24T23:10:00.000Z');
    await apply(session('kenji', '2030-11-24T23:00:00Z', 80, 'Asia/Tokyo'), session('kenji', '2030-11-24T23:05:00Z', 80, 'Asia/Tokyo'));
    // Monday 01:00 UTC (10:00 in Tokyo, the same local day): the claim's 100 XP go to 2030-W48.
    at('2030-11-25T01:00:00.000Z');
    const { challenges } = await app.get(GetProfileUseCase).execute(new GetProfileQuery('kenji'));
    const twoSessions = challenges.find((challenge) => challenge.type === 'COMPLETE_SESSIONS')!;
    await app.get(ClaimChallengeUseCase).execute(new ClaimChallengeCommand('kenji', twoSessions.id));
    expect((await board('kenji', 'WEEKLY_XP', 'previous')).me).toEqual({ rank: 1, xp: 240 });
    expect((await board('kenji', 'WEEKLY_XP', { key: '2030-W48' })).me).toEqual({ rank: 1, xp: twoSessions.xpReward });
    expect((await board('kenji', 'MONTHLY_XP', { key: '2030-11' })).me?.xp).toBe(240 + twoSessions.xpReward);
  });

  it('makes a period final after the grace hours: leaderboard.finished queued once, later XP counted all time only', async () => {
    // 2030-W47 ends on Monday 25 November 00:00 UTC; final 12 hours later. A late event within the grace counts.
    at('2030-11-25T11:00:00.000Z');
    await apply(session('carol', '2030-11-24T20:00:00Z', 100)); // carol 120 + 130 = 250
    const finish = () => app.get(FinishLeaderboardPeriodsUseCase).execute();
    expect(await finish()).toEqual([]);
    at('2030-11-25T12:00:00.000Z');
    expect(await finish()).toEqual([{ code: 'WEEKLY_XP', periodKey: '2030-W47', participants: 6 }]);
    expect(await finish()).toEqual([]);
    const outbox: Array<{ message_key: string; payload: Record<string, unknown> }> = await dataSource.query(
      `SELECT message_key, payload FROM outbox_messages WHERE payload->>'type' = 'leaderboard.finished'`,
    );
    expect(outbox).toEqual([
      {
        message_key: 'WEEKLY_XP',
        payload: {
          eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          type: 'leaderboard.finished',
          code: 'WEEKLY_XP',
          periodKey: '2030-W47',
          start: '2030-11-18T00:00:00.000Z',
          end: '2030-11-25T00:00:00.000Z',
          participants: 6,
          top: [
            { rank: 1, userId: 'carol', xp: 250 },
            { rank: 2, userId: 'kenji', xp: 240 },
            { rank: 3, userId: 'bob-2', xp: 200 },
            { rank: 4, userId: 'alice', xp: 160 },
            { rank: 5, userId: 'dave', xp: 130 },
            { rank: 6, userId: 'bob-10', xp: 120 },
          ],
        },
      },
    ]);

    // A session completed in 2030-W47 that arrives after it is final: the week keeps its ranking.
    at('2030-11-25T13:00:00.000Z');
    const allTimeBefore = (await board('dave', 'ALL_TIME_XP')).me!.xp;
    await apply(session('dave', '2030-11-24T21:00:00Z', 100));
    const week = await board('dave', 'WEEKLY_XP', { key: '2030-W47' });
    expect(week.period.final).toBe(true);
    expect(week.me).toEqual({ rank: 5, xp: 130 });
    expect((await board('dave', 'ALL_TIME_XP')).me!.xp).toBe(allTimeBefore + 130);
    expect((await board('dave', 'MONTHLY_XP', { key: '2030-11' })).me!.xp).toBe(260);
  });

  it('lets a final board leave Redis once it is no longer the previous period; an older one read by its key is built again for an hour', async () => {
    // 2030-W47 was announced final at 12:00 on 25 November (above); it is the previous week until 2030-W48 ends.
    const parts = (code: string, periodKey: string) => ['built', 'ranking', 'standings'].map((part) => `${env.REDIS_KEY_PREFIX}lb:${code}:${periodKey}:${part}`);
    const expiresAt = (code: string, periodKey: string) => Promise.all(parts(code, periodKey).map(async (key) => Number(await redis.call('PEXPIRETIME', key))));
    const builtByRead = async (userId: string, code: string, periodKey: string) => {
      await board(userId, code, { key: periodKey });
      await eventually(`${code} ${periodKey} built by the read`, async () => ((await built(code, periodKey)) ? true : undefined));
    };
    const endOfW48 = Date.parse('2030-12-02T00:00:00.000Z');
    expect(await expiresAt('WEEKLY_XP', '2030-W47')).toEqual([endOfW48, endOfW48, endOfW48]);
    // A sweep that announces nothing sets it again, for a board whose expiry was lost.
    await Promise.all(parts('WEEKLY_XP', '2030-W47').map((key) => redis.persist(key)));
    expect(await app.get(FinishLeaderboardPeriodsUseCase).execute()).toEqual([]);
    expect(await expiresAt('WEEKLY_XP', '2030-W47')).toEqual([endOfW48, endOfW48, endOfW48]);
    // The current week takes XP: built by a read, it stays.
    await redis.del(...parts('WEEKLY_XP', '2030-W48'));
    await builtByRead('dave', 'WEEKLY_XP', '2030-W48');
    expect(await expiresAt('WEEKLY_XP', '2030-W48')).toEqual([-1, -1, -1]);

    // 2030-W46 was final long before: built by a read of its key, it is kept an hour.
    at('2030-11-25T13:30:00.000Z');
    await builtByRead('alice', 'WEEKLY_XP', '2030-W46');
    // Nobody had XP that week: the board is its mark alone (-2: no such key).
    expect(await expiresAt('WEEKLY_XP', '2030-W46')).toEqual([Date.parse('2030-11-25T14:30:00.000Z'), -2, -2]);
  });

  it('refuses an unknown board and a period the board does not have, naming them', async () => {
    await expect(board('dave', 'DAILY_XP')).rejects.toMatchObject({ code: 'LEADERBOARD_NOT_FOUND' });
    await expect(board('dave', 'WEEKLY_XP', { key: '2030-11' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/^period: "2030-11" is not a period of WEEKLY_XP/) });
    await expect(board('dave', 'WEEKLY_XP', { key: '2031-W53' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(board('dave', 'ALL_TIME_XP', 'previous')).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/^period: previous: an all-time board has no previous period/) });
  });
});
