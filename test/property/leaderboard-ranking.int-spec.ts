import type { TestingModule } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import fc from 'fast-check';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { ApplySessionBatchCommand, ApplySessionCompletedUseCase, GetLeaderboardQuery, GetLeaderboardUseCase, LeaderboardBuilder } from '@app/application';
import { LeaderboardRanks, type RanksPage, type StoredStanding } from '@app/persistence';
import {
  aSessionCompleted,
  compareUserIds,
  CONTRACT_LEADERBOARDS,
  parsedSession,
  rankStandings,
  referenceBoardView,
  referenceIsFinal,
  referenceLeaderboards,
  referencePeriodOf,
  type ReferenceBoardDefinition,
  type ReferenceEvent,
  type ReferencePage,
  type ReferencePeriod,
  type ReferenceRun,
  type ReferenceStanding,
  type SessionCompletedMessage,
} from '@app/testing';
import { startApplication } from '../support/application-harness';
import { ownDatabaseUrl, workerTestEnv } from '../support/test-env';

/**
 * Model-based tests of the ranking of contract section 9, on the real Postgres and Redis.
 *
 * 1. Through the engine: random streams of sessions (XP from a few values, so that equal totals are
 *    frequent; completedAt in one ISO week or the one before; users whose ids sort differently by
 *    bytes than by a locale or as numbers; redeliveries that would change the XP if applied) are cut into
 *    runs, each applied with the real use case at an engine time the test chooses (runs share a time
 *    now and then, and some land on the instant a period becomes final). Every board of the case is
 *    then read through GetLeaderboardUseCase, from Postgres (the board not built, its build held by
 *    "another process") and from Redis (after a build, and after projections onto a built board),
 *    and must equal the fold of libs/testing/src/leaderboard-reference.ts.
 * 2. The Redis read model alone: LeaderboardRanks.write with each user's standings in random order,
 *    copies and stale revisions interleaved, removals (XP 0), XP up to 2^53 - 1, ids beyond ASCII,
 *    must read back as the ranking of each user's newest revision, page by page and around anyone.
 *
 * PROPERTY_RUNS and PROPERTY_SEED (or `npm run test:property -- --runs=N --seed=S`) make a long run.
 */
const SEED = Number(process.env.PROPERTY_SEED ?? 20261126);
const ENGINE_RUNS = Number(process.env.PROPERTY_RUNS ?? 40);
const REDIS_RUNS = Number(process.env.PROPERTY_RUNS ?? 150);
// A case through the engine takes up to a second, and shrinking a failure may run hundreds: the search
// for a smaller counterexample stops at this limit and reports the smallest found so far.
const ENGINE_TIME_LIMIT_MS = 60_000 + ENGINE_RUNS * 3_000;
const REDIS_TIME_LIMIT_MS = 30_000 + REDIS_RUNS * 300;

const DAY = 86_400_000;
const HOUR = 3_600_000;

// The contract allows userIds of [A-Za-z0-9._:@-] (section 2): within it, ids whose order by bytes is
// not the order of a locale (punctuation, case), nor of numbers (u-10 before u-2), and prefixes.
const ENGINE_USER_IDS = [
  'u-1', 'u-2', 'u-10', 'u-100', 'u-02', 'u-1-1', 'u--1', 'U-2', 'U-10', 'u-2a', 'u', 'u-', 'uu', 'u.2', 'u:2', 'u@2', 'u_2', 'U_2',
  'a', 'A', 'z', 'Z', '_', '-', '.', ':', '@', '0', '9', '10', 'user-9', 'user-10', 'User-9', 'a.b', 'a:b', 'A@B', 'a-b', 'a_b',
];
// The read model takes any id without whitespace (its writes separate standings by spaces): besides
// the above, non-ASCII ones, where UTF-16 order (JavaScript's <) and code point order part: U+FF21
// sorts before U+1F600 by code points, after it by UTF-16 units.
const RANKS_USER_IDS = [
  ...ENGINE_USER_IDS,
  'é', 'e\u0301', 'É', 'e', 'E', 'ü', 'u-é', 'u-e\u0301', '😀', 'u-😀', 'u-😀-2', '\uFF21', 'u-\uFF21', '\uFFFD', '中', '𝒜', 'a\u00A0b', 'a|b', '|', 'ß', 'ss',
];

// Property 1: the engine.

// Section 4's XP: base 50 + {0, 5, 15, 25, 40, 50} + {0, 10, 20, 30}; under 60 s nothing. Most sessions
// are the usual one (score 80, 30 minutes: 120 XP), so that users who practised alike tie.
const SCORES = [null, 0, 10, 35, 50, 80, 100];
const DURATIONS = [30, 59, 60, 600, 1200, 1800, 7200];
const score = fc.oneof({ weight: 3, arbitrary: fc.constant(80) }, { weight: 2, arbitrary: fc.constantFrom(...SCORES) });
const durationSeconds = fc.oneof({ weight: 3, arbitrary: fc.constant(1800) }, { weight: 2, arbitrary: fc.constantFrom(...DURATIONS) });
// The boards' zone is UTC, whatever the user's.
const ZONES = ['UTC', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Tokyo'];

const FIRST_MONDAY = Date.UTC(2026, 0, 5);
// Weeks next to a year's end (2026 and 2032 have a W53) and to a month's end.
const SPECIAL_MONDAYS = ['2026-12-28', '2027-01-04', '2030-12-30', '2031-01-06', '2032-12-27', '2033-01-03', '2030-11-25', '2031-03-03'].map((date) => Date.parse(`${date}T00:00:00Z`));

type SessionAt = number | 'week-start' | 'before-week-start' | 'month-start' | 'before-month-start';

interface GeneratedSession {
  readonly kind: 'session';
  readonly user: number;
  /** Another user given the same session right after (same XP, and the same run unless cut there). */
  readonly twin: number | null;
  /** Where completedAt falls: a fraction (of a million) of the time from the previous week's start to the run's clock, or a boundary. */
  readonly at: SessionAt;
  readonly score: number | null;
  readonly durationSeconds: number;
  readonly zone: number;
  /** The engine time of the run this item opens (unused when it does not open one). */
  readonly clock: GeneratedClock;
  /** Whether a run ends after it. */
  readonly cut: boolean;
}

interface GeneratedRedelivery {
  readonly kind: 'redelivery';
  /** Which earlier session (modulo their count) comes again, with other fields: applied, it would change the XP. */
  readonly of: number;
  readonly score: number | null;
  readonly durationSeconds: number;
  readonly clock: GeneratedClock;
  readonly cut: boolean;
}

type ClockSpecial = 'previous-final' | 'previous-final-1ms' | 'week-end' | 'week-final' | 'week-final-1ms' | 'month-final' | 'month-final-1ms';
/**
 * A run's engine time: an offset from W's Monday, an instant where a period ends or becomes final, or
 * the same as the run before. The times of a stream's runs are these, sorted: the clock never goes back.
 */
type GeneratedClock = { readonly kind: 'same' } | { readonly kind: 'at'; readonly offset: number } | { readonly kind: 'special'; readonly which: ClockSpecial };

interface EngineScenario {
  /** Monday 00:00 UTC of the week W; sessions complete in W - 1 and W. */
  readonly monday: number;
  readonly users: readonly string[];
  readonly items: ReadonlyArray<GeneratedSession | GeneratedRedelivery>;
  /** After how many runs (modulo their count + 1) the boards are read from Postgres, then built and read from Redis. */
  readonly checkpoint: number;
  /** Users (indices) whose `me` and `around=me` are read. */
  readonly probes: readonly number[];
}

const MAX_ITEMS = 60;
const MAX_USERS = 30;
const cut = fc.nat({ max: 2 }).map((n) => n === 0);
const clock: fc.Arbitrary<GeneratedClock> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'same' as const }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('at' as const), offset: fc.integer({ min: -7 * DAY + HOUR, max: 7 * DAY + 14 * HOUR }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('special' as const),
      which: fc.constantFrom<ClockSpecial>('previous-final', 'previous-final-1ms', 'week-end', 'week-final', 'week-final-1ms', 'month-final', 'month-final-1ms'),
    }),
  },
);
const engineScenarios: fc.Arbitrary<EngineScenario> = fc.record({
  monday: fc.oneof(
    { weight: 4, arbitrary: fc.nat({ max: 8 * 52 }).map((weeks) => FIRST_MONDAY + weeks * 7 * DAY) },
    { weight: 1, arbitrary: fc.constantFrom(...SPECIAL_MONDAYS) },
  ),
  users: fc.shuffledSubarray(ENGINE_USER_IDS, { minLength: 5, maxLength: MAX_USERS }),
  items: fc.array(
    fc.oneof(
      {
        weight: 8,
        arbitrary: fc.record({
          kind: fc.constant('session' as const),
          user: fc.nat({ max: MAX_USERS - 1 }),
          twin: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat({ max: MAX_USERS - 1 }) }),
          at: fc.oneof(
            { weight: 8, arbitrary: fc.integer({ min: 0, max: 1_000_000 }) as fc.Arbitrary<SessionAt> },
            { weight: 1, arbitrary: fc.constantFrom<SessionAt>('week-start', 'before-week-start', 'month-start', 'before-month-start') },
          ),
          score,
          durationSeconds,
          zone: fc.nat({ max: ZONES.length - 1 }),
          clock,
          cut,
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('redelivery' as const),
          of: fc.nat({ max: MAX_ITEMS - 1 }),
          score: fc.constantFrom(...SCORES),
          durationSeconds: fc.constantFrom(...DURATIONS),
          clock,
          cut,
        }),
      },
    ),
    // Streams of any length up to the maximum, not only the short ones fast-check favours: boards of 5 to 30 users.
    { minLength: 1, maxLength: MAX_ITEMS, size: 'max' },
  ),
  checkpoint: fc.nat({ max: MAX_ITEMS }),
  probes: fc.array(fc.nat({ max: MAX_USERS - 1 }), { minLength: 2, maxLength: 3 }),
});

/** A run as given to the engine: its messages and the engine time it is applied at. */
interface PlannedRun {
  readonly now: Date;
  readonly messages: readonly SessionCompletedMessage[];
}

/** The first day of a month within W - 1 and W (the week's own Monday excluded), if there is one. */
function monthStartWithin(monday: number): number | null {
  for (let day = monday - 6 * DAY; day < monday + 7 * DAY; day += DAY) {
    if (new Date(day).getUTCDate() === 1 && day !== monday) {
      return day;
    }
  }
  return new Date(monday).getUTCDate() === 1 ? monday : null;
}

/** The runs of a scenario: messages cut where the scenario says, each run at its engine time, completedAt never after it. */
function planRuns(scenario: EngineScenario, caseTag: string): PlannedRun[] {
  const { monday } = scenario;
  const monthStart = monthStartWithin(monday);
  const userIds = scenario.users.map((suffix) => `${caseTag}${suffix}`);
  const cutItems: Array<Array<GeneratedSession | GeneratedRedelivery>> = [[]];
  for (const item of scenario.items) {
    cutItems[cutItems.length - 1].push(item);
    if (item.cut) {
      cutItems.push([]);
    }
  }
  const itemRuns = cutItems.filter((run) => run.length > 0);

  const special: Record<ClockSpecial, number> = {
    'previous-final': monday + 12 * HOUR,
    'previous-final-1ms': monday + 12 * HOUR - 1,
    'week-end': monday + 7 * DAY,
    'week-final': monday + 7 * DAY + 12 * HOUR,
    'week-final-1ms': monday + 7 * DAY + 12 * HOUR - 1,
    'month-final': (monthStart ?? monday) + 12 * HOUR,
    'month-final-1ms': (monthStart ?? monday) + 12 * HOUR - 1,
  };
  const clocks = itemRuns.map((items) => items[0].clock);
  const sorted = clocks
    .flatMap((clock) => (clock.kind === 'at' ? [monday + clock.offset] : clock.kind === 'special' ? [special[clock.which]] : []))
    .sort((a, b) => a - b);
  let next = 0;
  let previous = sorted[0] ?? monday;
  const times = clocks.map((clock) => (clock.kind === 'same' ? previous : (previous = sorted[next++])));

  const earliest = monday - 7 * DAY;
  const boundaries: Record<Exclude<SessionAt, number>, number> = {
    'week-start': monday,
    'before-week-start': monday - 1,
    'month-start': monthStart ?? monday,
    'before-month-start': (monthStart ?? monday) - 1,
  };
  const sessions: SessionCompletedMessage[] = [];
  let index = 0;
  return itemRuns.map((items, run) => {
    const now = times[run];
    // Sessions complete in W - 1 or W, and not after the engine time they are applied at.
    const latest = Math.min(now, monday + 7 * DAY - 1);
    const messages = items.flatMap((item): SessionCompletedMessage[] => {
      index += 1;
      if (item.kind === 'redelivery') {
        if (sessions.length === 0) {
          return [];
        }
        const original = sessions[item.of % sessions.length];
        return [{ ...original, score: item.score, durationSeconds: item.durationSeconds }];
      }
      const at = typeof item.at === 'number' ? earliest + Math.floor((item.at / 1_000_000) * (latest - earliest)) : Math.min(boundaries[item.at], latest);
      const session = (userId: string, suffix: string) =>
        aSessionCompleted({
          eventId: `${caseTag}e${index}${suffix}`,
          sessionId: `s${index}${suffix}`,
          userId,
          completedAt: new Date(Math.max(earliest, at)).toISOString(),
          durationSeconds: item.durationSeconds,
          score: item.score,
          timezone: ZONES[item.zone],
        });
      const user = userIds[item.user % userIds.length];
      const twin = item.twin === null ? null : userIds[item.twin % userIds.length];
      const made = [session(user, ''), ...(twin === null || twin === user ? [] : [session(twin, 't')])];
      sessions.push(...made);
      return made;
    });
    return { now: new Date(now), messages };
  }).filter((run) => run.messages.length > 0);
}

function referenceEvent(message: SessionCompletedMessage): ReferenceEvent {
  return {
    eventId: message.eventId,
    userId: message.userId,
    completedAt: message.completedAt,
    durationSeconds: message.durationSeconds,
    score: message.score,
    timezone: message.timezone,
  };
}

/** A board and period a case reads, with the period as the reference computes it. */
interface CheckedBoard {
  readonly board: ReferenceBoardDefinition;
  readonly period: ReferencePeriod;
}

/** The boards and periods of a case: W - 1, W and the empty W + 1; the months they touch; all time. */
function checkedBoards(monday: number): CheckedBoard[] {
  const instants: Record<ReferenceBoardDefinition['period'], number[]> = {
    week: [monday - 7 * DAY, monday, monday + 7 * DAY],
    month: [monday - 7 * DAY, monday + 7 * DAY - 1],
    all: [monday],
  };
  const checked = new Map<string, CheckedBoard>();
  for (const board of CONTRACT_LEADERBOARDS) {
    for (const instant of instants[board.period]) {
      const period = referencePeriodOf(board.period, instant);
      checked.set(`${board.code}:${period.key}`, { board, period });
    }
  }
  return [...checked.values()];
}

// Property 2: the Redis read model.

const TWO_40 = 2 ** 40;
const XPS = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0, 1, 2, 100, 100, 250) },
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.integer({ min: TWO_40 - 2, max: TWO_40 + 2 }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1, 2 ** 52 + 1) },
);
const ENGINE_TIME = Date.parse('2030-11-20T10:00:00.000Z');
// The member's time has 15 digits: from 0 to the last millisecond they can hold.
const TIMES = fc.constantFrom(0, 1, 999, ENGINE_TIME, ENGINE_TIME, ENGINE_TIME + 1, ENGINE_TIME + 1000, 10 ** 13, 10 ** 15 - 1);

interface GeneratedVersion {
  readonly xp: number;
  readonly reachedAt: number;
  /** How far above the previous version's revision this one is. */
  readonly step: number;
  /** When each copy of it is written: the order of all copies (and the write call, slot / 100). */
  readonly slots: readonly number[];
}

interface RanksScenario {
  readonly users: readonly string[];
  /** Per board (two), per user (modulo), the versions of their standing, oldest first. */
  readonly histories: ReadonlyArray<ReadonlyArray<{ readonly user: number; readonly firstRevision: number; readonly versions: readonly GeneratedVersion[] }>>;
  /** Write calls one after the other, or all at once (Redis then runs them in any order). */
  readonly concurrent: boolean;
  readonly pages: ReadonlyArray<{ readonly offset: number; readonly limit: number; readonly probe: number }>;
  readonly arounds: readonly number[];
  readonly walk: number;
}

const ranksScenarios: fc.Arbitrary<RanksScenario> = fc.record({
  users: fc.uniqueArray(
    fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...RANKS_USER_IDS) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }).filter((id) => !/[ \t\n\v\f\r]/.test(id)) }),
    { minLength: 1, maxLength: MAX_USERS, size: 'max' },
  ),
  histories: fc.array(
    fc.array(
      fc.record({
        user: fc.nat({ max: MAX_USERS - 1 }),
        firstRevision: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constant(2 ** 40)),
        versions: fc.array(
          fc.record({
            xp: XPS,
            reachedAt: TIMES,
            step: fc.integer({ min: 1, max: 3 }),
            slots: fc.array(fc.nat({ max: 999 }), { minLength: 1, maxLength: 3 }),
          }),
          { minLength: 1, maxLength: 4 },
        ),
      }),
      { minLength: 0, maxLength: MAX_USERS, size: 'max' },
    ),
    { minLength: 2, maxLength: 2 },
  ),
  concurrent: fc.boolean(),
  pages: fc.array(fc.record({ offset: fc.nat({ max: 35 }), limit: fc.integer({ min: 1, max: 35 }), probe: fc.nat({ max: MAX_USERS }) }), { minLength: 1, maxLength: 6 }),
  arounds: fc.array(fc.nat({ max: MAX_USERS }), { minLength: 1, maxLength: 6 }),
  walk: fc.integer({ min: 1, max: 12 }),
});

// The read model's layout (contract section 9's Redis design): score -xp, member `<ms, 15 digits>:<userId>`.
const memberOf = ({ userId, reachedAt }: ReferenceStanding) => `${String(reachedAt).padStart(15, '0')}:${userId}`;

/** A board's sorted set as Redis holds it, in Redis' order: members and the XP their scores say. */
async function storedRanking(redis: Redis, key: string): Promise<Array<{ member: string; xp: number }>> {
  const flat = await redis.zrange(key, 0, -1, 'WITHSCORES');
  const stored: Array<{ member: string; xp: number }> = [];
  for (let i = 0; i < flat.length; i += 2) {
    stored.push({ member: flat[i], xp: -Number(flat[i + 1]) });
  }
  return stored;
}

/** A page as LeaderboardRanks reads it (0-based), from the reference's view (ranks 1-based). */
function ranksPageOf(ranking: readonly ReferenceStanding[], userId: string, page: ReferencePage): RanksPage {
  const view = referenceBoardView(ranking, userId, page);
  const from = page.around ? (view.me === null ? 0 : Math.max(0, view.me.rank - 1 - 5)) : page.offset;
  return {
    participants: view.participants,
    from,
    entries: view.entries.map(({ userId: id, xp }) => ({ userId: id, xp })),
    me: view.me === null ? null : { position: view.me.rank - 1, xp: view.me.xp },
  };
}

describe('leaderboard ranking (model-based, on the real Postgres and Redis)', () => {
  const env = workerTestEnv();
  const prefix = env.REDIS_KEY_PREFIX;
  let current = new Date('2026-01-01T00:00:00.000Z');
  let app: TestingModule;
  let dataSource: DataSource;
  let redis: Redis;

  const deleteKeys = async (pattern: string) => {
    const keys = await redis.keys(pattern);
    if (keys.length > 0) {
      await redis.del(...keys);
    }
  };

  beforeAll(async () => {
    app = await startApplication(ownDatabaseUrl('gamification_test_leaderboard_ranking'), { now: () => current }, env);
    dataSource = app.get(getDataSourceToken());
    redis = new Redis(env.REDIS_URL);
  });

  afterAll(async () => {
    await deleteKeys(`${prefix}*`);
    redis?.disconnect();
    await app?.close();
  });

  it('has a reference that gives the contract example\'s periods, ISO weeks across a year end, and userIds in byte order', () => {
    // Section 9's example: 2026-W48 runs from Monday 23 November to Monday 30 November 2026.
    expect(referencePeriodOf('week', Date.parse('2026-11-29T23:59:59.999Z'))).toEqual({ key: '2026-W48', start: Date.parse('2026-11-23T00:00:00Z'), end: Date.parse('2026-11-30T00:00:00Z') });
    expect(referencePeriodOf('week', Date.parse('2027-01-03T12:00:00Z')).key).toBe('2026-W53');
    expect(referencePeriodOf('week', Date.parse('2027-01-04T00:00:00Z')).key).toBe('2027-W01');
    expect(referencePeriodOf('week', Date.parse('2030-12-31T00:00:00Z')).key).toBe('2031-W01');
    expect(referencePeriodOf('month', Date.parse('2026-11-30T23:59:59.999Z'))).toEqual({ key: '2026-11', start: Date.parse('2026-11-01T00:00:00Z'), end: Date.parse('2026-12-01T00:00:00Z') });
    for (const monday of SPECIAL_MONDAYS) {
      expect(new Date(monday).getUTCDay()).toBe(1);
    }
    expect(['u-2', 'u-10', 'U-2', 'u_2', 'u.2', '😀', '\uFF21', 'é', 'e\u0301'].sort(compareUserIds)).toEqual(['U-2', 'e\u0301', 'u-10', 'u-2', 'u.2', 'u_2', 'é', '\uFF21', '😀']);
  });

  it(`ranks every board as the contract does, through the engine, from Postgres and from Redis (${ENGINE_RUNS} cases, seed ${SEED})`, async () => {
    const apply = app.get(ApplySessionCompletedUseCase);
    const leaderboards = app.get(GetLeaderboardUseCase);
    const builder = app.get(LeaderboardBuilder);
    const ranks = app.get(LeaderboardRanks);
    let cases = 0;
    const started = Date.now();
    // What the cases exercised: neighbours of equal XP told apart by time and by userId, and XP a final period refused.
    const seenTies = { byTime: 0, byUserId: 0, byUserIdUnlikeALocale: 0, refusedByFinalPeriods: 0 };

    // The boards of the contract only: the read model's property keeps its own under another code.
    const forgetBoards = () => Promise.all(CONTRACT_LEADERBOARDS.map(({ code }) => deleteKeys(`${prefix}lb:${code}:*`)));
    const boardKey = ({ board, period }: CheckedBoard) => `${prefix}lb:${board.code}:${period.key}`;
    const isBuilt = async (checked: CheckedBoard) => (await redis.exists(`${boardKey(checked)}:built`)) === 1;
    const queuedProjections = async () => Number((await dataSource.query(`SELECT count(*) AS n FROM leaderboard_projections`))[0].n);
    // Another process holds the build: a reader finding the board missing is answered from Postgres and starts none.
    const holdBuilds = (boards: readonly CheckedBoard[]) => Promise.all(boards.map((checked) => redis.set(`${boardKey(checked)}:building`, 'property-test', 'PX', 600_000)));
    const releaseBuilds = (boards: readonly CheckedBoard[]) => Promise.all(boards.map((checked) => redis.del(`${boardKey(checked)}:building`)));

    /** Every checked board, read as `path` must answer it, against the fold of the runs applied so far. */
    const expectBoards = async (path: 'postgres' | 'redis', phase: string, boards: readonly CheckedBoard[], applied: readonly ReferenceRun[], probes: readonly string[]) => {
      const reference = referenceLeaderboards(applied);
      for (const checked of boards) {
        const { board, period } = checked;
        // Which store can answer: Redis only for a built board with no projection overdue.
        expect({ path, phase, board: board.code, key: period.key, built: await isBuilt(checked) }).toEqual({ path, phase, board: board.code, key: period.key, built: path === 'redis' });
        const ranking = reference.get(board.code)?.get(period.key) ?? [];
        if (path === 'redis') {
          expect({ phase, queuedProjections: await queuedProjections() }).toEqual({ phase, queuedProjections: 0 });
          // Exact XP and reachedAt (engine time, to the millisecond) in every member and score.
          expect({ path, phase, board: board.code, key: period.key, stored: await storedRanking(redis, `${boardKey(checked)}:ranking`) }).toEqual({
            path,
            phase,
            board: board.code,
            key: period.key,
            stored: ranking.map((standing) => ({ member: memberOf(standing), xp: standing.xp })),
          });
          // The read model itself, so that a use case falling back to Postgres could not hide a wrong one.
          const page = { around: false, offset: 0, limit: 100 } as const;
          expect({ path, phase, board: board.code, key: period.key, ranks: await ranks.read(board.code, period.key, { userId: probes[0], ...page }) }).toEqual({
            path,
            phase,
            board: board.code,
            key: period.key,
            ranks: ranksPageOf(ranking, probes[0], page),
          });
        }
        const header = {
          code: board.code,
          name: board.name,
          period: {
            key: period.key,
            start: period.start === null ? null : new Date(period.start).toISOString(),
            end: period.end === null ? null : new Date(period.end).toISOString(),
            final: referenceIsFinal(period, current),
          },
        };
        const reads: Array<{ userId: string; page: ReferencePage }> = [
          { userId: probes[0], page: { around: false, offset: 0, limit: 100 } },
          ...probes.map((userId) => ({ userId, page: { around: true } as const })),
        ];
        for (const { userId, page } of reads) {
          const view = await leaderboards.execute(new GetLeaderboardQuery(userId, board.code, { key: period.key }, page));
          expect({ path, phase, userId, page, view }).toEqual({ path, phase, userId, page, view: { ...header, ...referenceBoardView(ranking, userId, page) } });
        }
      }
    };

    await fc.assert(
      fc.asyncProperty(engineScenarios, async (scenario) => {
        cases += 1;
        const caseTag = `c${cases}.`;
        const runs = planRuns(scenario, caseTag);
        const boards = checkedBoards(scenario.monday);
        const probes = [...scenario.probes.map((probe) => `${caseTag}${scenario.users[probe % scenario.users.length]}`), `${caseTag}nobody`];
        const checkpoint = scenario.checkpoint % (runs.length + 1);

        // A clean slate: the boards hold this case's users only (their ids are new in every case; the
        // profiles go too, as they hold the all-time standings).
        await dataSource.query(`TRUNCATE leaderboard_entries, leaderboard_projections, leaderboard_finals, user_profiles`);
        await forgetBoards();
        current = runs[0]?.now ?? new Date(scenario.monday);

        const applied: ReferenceRun[] = [];
        const seen = new Set<string>();
        const applyRun = async ({ now, messages }: PlannedRun) => {
          current = now;
          const outcomes = await apply.executeBatch(new ApplySessionBatchCommand(messages.map((message) => parsedSession(message, now)), 'kafka'));
          const expected = messages.map((message) => {
            const first = !seen.has(message.eventId);
            seen.add(message.eventId);
            return first ? 'applied' : 'duplicate';
          });
          expect(outcomes.map((outcome) => outcome.status)).toEqual(expected);
          applied.push({ now, events: messages.map(referenceEvent) });
        };

        for (const run of runs.slice(0, checkpoint)) {
          await applyRun(run);
        }
        await holdBuilds(boards);
        await expectBoards('postgres', `before the build, after ${checkpoint} of ${runs.length} runs`, boards, applied, probes);
        await releaseBuilds(boards);
        for (const checked of boards) {
          const participants = referenceLeaderboards(applied).get(checked.board.code)?.get(checked.period.key)?.length ?? 0;
          expect({ board: checked.board.code, key: checked.period.key, build: await builder.build(checked.board.code, checked.period.key, null) }).toEqual({
            board: checked.board.code,
            key: checked.period.key,
            build: { status: 'built', standings: participants },
          });
        }
        await expectBoards('redis', `after the build, after ${checkpoint} of ${runs.length} runs`, boards, applied, probes);

        for (const run of runs.slice(checkpoint)) {
          await applyRun(run);
        }
        await expectBoards('redis', `after projections of the last ${runs.length - checkpoint} runs onto the built boards`, boards, applied, probes);

        await forgetBoards();
        await holdBuilds(boards);
        await expectBoards('postgres', 'after Redis lost the boards', boards, applied, probes);

        // Postgres keeps the standings themselves exactly: XP and the engine time that reached it (all
        // time's on the profiles).
        const final = referenceLeaderboards(applied);
        const allTimeCodes = CONTRACT_LEADERBOARDS.filter((board) => board.period === 'all').map((board) => board.code);
        const rows: Array<{ user_id: string; code: string; period_key: string; xp: string; reached_at: Date }> = await dataSource.query(
          `SELECT * FROM (
             SELECT user_id, code, period_key, xp, reached_at FROM leaderboard_entries
             UNION ALL
             SELECT user_id, code, 'all', total_xp, xp_reached_at FROM user_profiles CROSS JOIN unnest($1::text[]) AS b(code) WHERE total_xp > 0
           ) AS standings ORDER BY code, period_key, user_id COLLATE "C"`,
          [allTimeCodes],
        );
        expect(rows.map((row) => ({ code: row.code, key: row.period_key, userId: row.user_id, xp: Number(row.xp), reachedAt: row.reached_at.toISOString() }))).toEqual(
          [...final]
            .flatMap(([code, periods]) => [...periods].flatMap(([key, ranking]) => ranking.map((standing) => ({ code, key, userId: standing.userId, xp: standing.xp, reachedAt: new Date(standing.reachedAt).toISOString() }))))
            .sort((a, b) => (a.code !== b.code ? (a.code < b.code ? -1 : 1) : a.key !== b.key ? (a.key < b.key ? -1 : 1) : compareUserIds(a.userId, b.userId))),
        );

        for (const ranking of [...final.values()].flatMap((periods) => [...periods.values()])) {
          ranking.slice(1).forEach((standing, index) => {
            const above = ranking[index];
            if (standing.xp === above.xp) {
              seenTies[standing.reachedAt === above.reachedAt ? 'byUserId' : 'byTime'] += 1;
              seenTies.byUserIdUnlikeALocale += standing.reachedAt === above.reachedAt && above.userId.localeCompare(standing.userId, 'en') > 0 ? 1 : 0;
            }
          });
        }
        const neverFinal = referenceLeaderboards(applied, CONTRACT_LEADERBOARDS, Number.POSITIVE_INFINITY);
        seenTies.refusedByFinalPeriods += JSON.stringify([...neverFinal].map(([code, periods]) => [code, [...periods]])) === JSON.stringify([...final].map(([code, periods]) => [code, [...periods]])) ? 0 : 1;
      }),
      { numRuns: ENGINE_RUNS, seed: SEED, plugins: [fc.interruptAfterTimeLimit(ENGINE_TIME_LIMIT_MS, { failOnInterrupt: true })] },
    );
    process.stdout.write(
      `property (engine): ${cases} cases (incl. shrinking) in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${SEED}; ` +
        `equal XP ranked by time ${seenTies.byTime}, by userId ${seenTies.byUserId} (${seenTies.byUserIdUnlikeALocale} of them not in an English locale's order) times; ${seenTies.refusedByFinalPeriods} cases had XP refused by a final period\n`,
    );
    if (ENGINE_RUNS >= 20) {
      // The generator must keep making what the property is about.
      expect(Math.min(seenTies.byTime, seenTies.byUserIdUnlikeALocale, seenTies.refusedByFinalPeriods)).toBeGreaterThan(0);
    }
  }, ENGINE_TIME_LIMIT_MS + 60_000);

  it(`keeps in Redis exactly the ranking of each user's newest revision, whatever the order of writes (${REDIS_RUNS} cases, seed ${SEED})`, async () => {
    const ranks = app.get(LeaderboardRanks);
    let cases = 0;
    const started = Date.now();

    await fc.assert(
      fc.asyncProperty(ranksScenarios, async (scenario) => {
        cases += 1;
        const periodKeys = scenario.histories.map((_, board) => `case-${cases}-${board}`);
        const copies: Array<{ slot: number; standing: StoredStanding }> = [];
        const newest = periodKeys.map(() => new Map<string, ReferenceStanding & { readonly revision: number }>());
        scenario.histories.forEach((history, board) => {
          const revisions = new Map<string, number>();
          for (const { user, firstRevision, versions } of history) {
            const userId = scenario.users[user % scenario.users.length];
            // A user drawn twice on a board continues their history: revisions only grow.
            let revision = Math.max(firstRevision, (revisions.get(userId) ?? 0) + 1) - versions[0].step;
            for (const { xp, reachedAt, step, slots } of versions) {
              revision += step;
              const standing: StoredStanding = { userId, code: 'RANKS', periodKey: periodKeys[board], xp, reachedAt: new Date(reachedAt), revision };
              copies.push(...slots.map((slot) => ({ slot, standing })));
              newest[board].set(userId, { userId, xp, reachedAt, revision });
            }
            revisions.set(userId, revision);
          }
        });
        copies.sort((a, b) => a.slot - b.slot);
        const calls = new Map<number, StoredStanding[]>();
        for (const { slot, standing } of copies) {
          calls.set(Math.floor(slot / 100), [...(calls.get(Math.floor(slot / 100)) ?? []), standing]);
        }
        if (scenario.concurrent) {
          await Promise.all([...calls.values()].map((standings) => ranks.write(standings)));
        } else {
          for (const standings of calls.values()) {
            await ranks.write(standings);
          }
        }
        // Marked built as a build does it: under its lease.
        await Promise.all(
          periodKeys.map(async (key) => {
            expect(await ranks.claimBuild('RANKS', key, `case-${key}`, 30_000)).toBe(true);
            expect(await ranks.markBuilt('RANKS', key, `case-${key}`, null)).toBe(true);
            await ranks.releaseBuild('RANKS', key);
          }),
        );

        for (const [board, periodKey] of periodKeys.entries()) {
          const ranking = rankStandings(newest[board].values());
          // Exactly each user's newest revision: in the set (XP above 0) and in the hash (all, removals too).
          const key = `${prefix}lb:RANKS:${periodKey}`;
          expect({ periodKey, stored: await storedRanking(redis, `${key}:ranking`), revisions: await redis.hgetall(`${key}:standings`) }).toEqual({
            periodKey,
            stored: ranking.map((standing) => ({ member: memberOf(standing), xp: standing.xp })),
            revisions: Object.fromEntries([...newest[board].values()].map((standing) => [standing.userId, `${standing.revision}|${String(standing.reachedAt).padStart(15, '0')}`])),
          });
          const probe = (index: number) => (index % (scenario.users.length + 1) === scenario.users.length ? 'nobody-at-all' : scenario.users[index % (scenario.users.length + 1)]);
          for (const { offset, limit, probe: index } of scenario.pages) {
            const userId = probe(index);
            const page = await ranks.read('RANKS', periodKey, { userId, around: false, offset, limit });
            expect({ periodKey, userId, offset, limit, page }).toEqual({ periodKey, userId, offset, limit, page: ranksPageOf(ranking, userId, { around: false, offset, limit }) });
          }
          for (const index of scenario.arounds) {
            const userId = probe(index);
            const page = await ranks.read('RANKS', periodKey, { userId, around: true });
            expect({ periodKey, userId, around: true, page }).toEqual({ periodKey, userId, around: true, page: ranksPageOf(ranking, userId, { around: true }) });
          }
          // The whole board, page after page.
          const walked: Array<{ userId: string; xp: number }> = [];
          for (let offset = 0; offset <= ranking.length; offset += scenario.walk) {
            walked.push(...(await ranks.read('RANKS', periodKey, { userId: 'nobody-at-all', around: false, offset, limit: scenario.walk }))!.entries);
          }
          expect({ periodKey, walked }).toEqual({ periodKey, walked: ranking.map(({ userId, xp }) => ({ userId, xp })) });
        }
        await Promise.all(periodKeys.map((key) => ranks.clear('RANKS', key)));
      }),
      { numRuns: REDIS_RUNS, seed: SEED, plugins: [fc.interruptAfterTimeLimit(REDIS_TIME_LIMIT_MS, { failOnInterrupt: true })] },
    );
    process.stdout.write(`property (redis): ${cases} cases (incl. shrinking) in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${SEED}\n`);
  }, REDIS_TIME_LIMIT_MS + 60_000);
});
