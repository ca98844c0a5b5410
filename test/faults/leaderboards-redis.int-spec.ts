import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { contractSessionXp, eventually, type SessionCompletedMessage } from '@app/testing';
import { bearer, tokenFor } from '../support/api-harness';
import { assertInvariants } from './support/invariants';
import { LeaderboardStage, PrivateRedis, type Placed } from './support/leaderboard-stage';
import { seededRandom, type SeededRandom } from './support/seeded-random';

/**
 * Leaderboards (contract section 9) under Redis faults, with real worker processes, the real api app
 * and a redis-server of this file's own: flushed mid-stream, stopped and started again, writes paused
 * while the worker is SIGKILLed, flushed while a board is being built, and back from an older
 * snapshot. Postgres is the boards' source of truth; every scenario ends with the boards as a user of
 * the api reads them (every page, every user's own rank) equal to a ranking computed here, from
 * scratch, from the session facts in Postgres and the contract's rule — no wrong rank — and every
 * user's all-time XP equal to their total XP — no double count. While the stream flows, the boards are
 * read again and again and each answer checked against the facts before and after it.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
// Contract section 9's defaults, as the shipped rules have them.
const GRACE_HOURS = 12;
const BOARDS = ['WEEKLY_XP', 'MONTHLY_XP', 'ALL_TIME_XP'] as const;
type BoardCode = (typeof BOARDS)[number];
// How long a projection may stay queued before the reader stops trusting Redis (LOST_PROJECTION_AFTER_MS).
const LOST_AFTER_MS = 5_000;

// ---------------------------------------------------------------------------------------------------
// The reference: the contract's rule over the facts, written here without the engine's code.

interface Period {
  readonly key: string;
  /** Exclusive end; null for all time. */
  readonly end: number | null;
}

/** ISO week (Monday to Sunday) in UTC, keyed by the year of its Thursday: `2026-W48`. */
function isoWeek(instant: number): Period {
  const day = Math.floor(instant / DAY_MS);
  const monday = day - ((day + 3) % 7); // 1970-01-01 was a Thursday
  const thursday = new Date((monday + 3) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((monday + 3 - Date.UTC(year, 0, 1) / DAY_MS) / 7) + 1;
  return { key: `${year}-W${String(week).padStart(2, '0')}`, end: (monday + 7) * DAY_MS };
}

function calendarMonth(instant: number): Period {
  const date = new Date(instant);
  return {
    key: `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`,
    end: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1),
  };
}

function periodOf(code: BoardCode, completedAt: number): Period {
  return code === 'WEEKLY_XP' ? isoWeek(completedAt) : code === 'MONTHLY_XP' ? calendarMonth(completedAt) : { key: 'all', end: null };
}

interface Standing {
  readonly userId: string;
  readonly xp: number;
  /** When the user reached that XP (engine time, ms): when the last event that added to it was processed. */
  readonly reachedAt: number;
}

/** A board in a period, ranked. */
interface ReferenceBoard {
  readonly code: BoardCode;
  readonly periodKey: string;
  readonly ranked: readonly Standing[];
}

/** XP desc, then who reached it first, then userId by its UTF-8 bytes. */
function byRank(a: Standing, b: Standing): number {
  return b.xp - a.xp || a.reachedAt - b.reachedAt || Buffer.compare(Buffer.from(a.userId, 'utf8'), Buffer.from(b.userId, 'utf8'));
}

/**
 * Every board and period with a participant, from processed_events: a counted session's XP goes to the
 * period of each board that holds its completedAt, unless it was processed once that period was final
 * (GRACE_HOURS after its end); the time a standing was reached is the processed_at of the last such
 * event; only XP > 0 is on a board.
 */
async function referenceBoards(dataSource: DataSource): Promise<Map<string, ReferenceBoard>> {
  const facts: Array<{ user_id: string; completed_at: Date; processed_at: Date; xp_awarded: number }> = await dataSource.query(
    `SELECT user_id, completed_at, processed_at, xp_awarded FROM processed_events WHERE outcome = 'counted' AND xp_awarded > 0`,
  );
  const sums = new Map<string, { code: BoardCode; periodKey: string; users: Map<string, { xp: number; reachedAt: number }> }>();
  for (const fact of facts) {
    for (const code of BOARDS) {
      const period = periodOf(code, fact.completed_at.getTime());
      if (period.end !== null && fact.processed_at.getTime() >= period.end + GRACE_HOURS * HOUR_MS) {
        continue;
      }
      const board = boardKey(code, period.key);
      const sum = sums.get(board) ?? { code, periodKey: period.key, users: new Map() };
      sums.set(board, sum);
      const before = sum.users.get(fact.user_id) ?? { xp: 0, reachedAt: 0 };
      sum.users.set(fact.user_id, { xp: before.xp + fact.xp_awarded, reachedAt: Math.max(before.reachedAt, fact.processed_at.getTime()) });
    }
  }
  return new Map(
    [...sums].map(([board, { code, periodKey, users }]) => [
      board,
      { code, periodKey, ranked: [...users].map(([userId, { xp, reachedAt }]) => ({ userId, xp, reachedAt })).sort(byRank) },
    ]),
  );
}

function boardKey(code: string, periodKey: string): string {
  return `${code} ${periodKey}`;
}

function ranks(board: ReferenceBoard): Array<{ rank: number; userId: string; xp: number }> {
  return board.ranked.map(({ userId, xp }, index) => ({ rank: index + 1, userId, xp }));
}

// ---------------------------------------------------------------------------------------------------
// The stream: ~50 users, all in one week, with ties.

/**
 * Where the sessions complete: the last 20 hours of the current ISO week (UTC) up to a minute ago; in
 * the first two hours of a Monday, the last 20 hours of the week before, which is not final until
 * Monday 12:00. Within 20 hours a user in one zone misses no local day between two practice days, so
 * no streak notice is queued (the invariants oracle records award topics only).
 */
function sessionWindow(now = Date.now()): { from: number; to: number } {
  const day = Math.floor(now / DAY_MS);
  const monday = (day - ((day + 3) % 7)) * DAY_MS;
  const to = now - monday >= 2 * HOUR_MS ? now - 60_000 : monday - 60_000;
  return { from: Math.max(to - 20 * HOUR_MS, to < monday ? monday - 7 * DAY_MS : monday), to };
}

// Twins: two users with the same sessions, produced side by side to the same partition, so that they
// often reach the same XP in the same run (the same engine time) and only their ids tell them apart —
// ids whose byte order is not their natural or case-insensitive order.
const TWINS: ReadonlyArray<(base: string) => [string, string]> = [
  (base) => [`${base}-B`, `${base}-a`],
  (base) => [`${base}-10`, `${base}-9`],
  (base) => [`${base}@x`, `${base}_x`],
  (base) => [`${base}-z`, `${base}:z`],
];
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'];
const SCORES = [0, 50, 100, null];
// 30 s is too short to count.
const DURATIONS = [1800, 1800, 600, 2400, 30];

interface BoardStream {
  readonly messages: readonly Placed[];
  /** Every user of the stream; the last one's sessions are all too short to count (on no board). */
  readonly users: readonly string[];
}

/**
 * `pairs` pairs of twins and `singles` other users, 6 to 14 sessions each, interleaved at random
 * (each user's in order); about 8% of messages sent again later with the same eventId (a third of
 * them with another score: the first copy wins), and a user with only sessions too short to count.
 */
function boardStream(prefix: string, random: SeededRandom, pairs: number, singles: number): BoardStream {
  const window = sessionWindow();
  const pick = <T>(values: readonly T[]): T => values[random.int(0, values.length - 1)];
  // Each user keeps one zone, so that their practice days do not skip a day either.
  const templates = (count: number, timezone: string) =>
    Array.from({ length: count }, () => {
      const score = pick(SCORES);
      return {
        completedAt: new Date(window.from + Math.floor(random.next() * (window.to - window.from))).toISOString(),
        durationSeconds: pick(DURATIONS),
        ...(score === null ? {} : { score }),
        timezone,
      };
    });
  // Each user's (or pair of twins') messages in order, in groups that stay side by side.
  const queues: Placed[][][] = [];
  const users: string[] = [];
  const placed = (userIds: readonly string[], partition: number, sessions: number, durationSeconds?: number) => {
    users.push(...userIds);
    queues.push(
      templates(sessions, pick(ZONES)).map((template) =>
        userIds.map((userId) => ({
          event: { eventId: randomUUID(), userId, sessionId: randomUUID(), ...template, ...(durationSeconds === undefined ? {} : { durationSeconds }) },
          partition,
        })),
      ),
    );
  };
  for (let pair = 0; pair < pairs; pair += 1) {
    placed(TWINS[pair % TWINS.length](`${prefix}.${pair}`), pair % 3, random.int(6, 14));
  }
  for (let single = 0; single < singles; single += 1) {
    placed([`${prefix}.s${single}`], (pairs + single) % 3, random.int(6, 14));
  }
  placed([`${prefix}.ghost`], 0, 3, 30);

  const messages: Placed[] = [];
  for (let open = queues.filter((queue) => queue.length > 0); open.length > 0; open = queues.filter((queue) => queue.length > 0)) {
    messages.push(...pick(open).shift()!);
  }
  // Redeliveries and conflicting copies, later in the stream and on the same partition (so after the first).
  for (const original of messages.filter(() => random.next() < 0.08)) {
    const copy = random.next() < 1 / 3 ? { ...original.event, score: original.event.score === 100 ? 0 : 100 } : original.event;
    messages.splice(random.int(messages.indexOf(original) + 1, messages.length), 0, { event: copy, partition: original.partition });
  }
  return { messages, users };
}

/** The first `count` messages of a stream, with all its users. */
function firstOf(stream: BoardStream, count: number): BoardStream {
  return { messages: stream.messages.slice(0, count), users: stream.users };
}

/** The boards and periods the messages' counted sessions fall in. */
function periodsOf(messages: readonly Placed[]): Array<{ code: BoardCode; periodKey: string }> {
  const periods = new Map<string, { code: BoardCode; periodKey: string }>();
  for (const event of uniqueEvents(messages).filter((unique) => contractSessionXp(unique) > 0)) {
    for (const code of BOARDS) {
      const { key } = periodOf(code, Date.parse(event.completedAt));
      periods.set(boardKey(code, key), { code, periodKey: key });
    }
  }
  return [...periods.values()];
}

function uniqueEvents(messages: readonly Placed[]): SessionCompletedMessage[] {
  const firsts = new Map<string, SessionCompletedMessage>();
  for (const { event } of messages) {
    if (!firsts.has(event.eventId)) {
      firsts.set(event.eventId, event);
    }
  }
  return [...firsts.values()];
}

// ---------------------------------------------------------------------------------------------------
// Reading the boards as a user of the api does.

interface BoardResponse {
  readonly participants: number;
  readonly entries: Array<{ rank: number; userId: string; xp: number }>;
  readonly me: { rank: number; xp: number } | null;
}

async function getBoard(stage: LeaderboardStage, reader: string, code: string, query: string): Promise<BoardResponse> {
  const response = await stage.api.http().get(`/gamification/leaderboards/${code}?${query}`).set(bearer(tokenFor(reader)));
  if (response.status !== 200) {
    throw new Error(`GET /gamification/leaderboards/${code}?${query} answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body as BoardResponse;
}

/** A whole board, page by page (100 a page, the api's most). */
async function readWholeBoard(stage: LeaderboardStage, code: string, periodKey: string): Promise<{ participants: number; entries: BoardResponse['entries'] }> {
  const entries: BoardResponse['entries'] = [];
  for (let offset = 0; ; offset += 100) {
    const page = await getBoard(stage, 'board-reader', code, `period=${periodKey}&limit=100&offset=${offset}`);
    entries.push(...page.entries);
    if (page.entries.length < 100) {
      return { participants: page.participants, entries };
    }
  }
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += size) {
    await Promise.all(items.slice(start, start + size).map(work));
  }
}

/**
 * The boards equal the reference, as the api shows them: every page, every user's own rank and XP
 * (`me`, null for a user with no XP there), and around=me for some; every user's all-time XP equals
 * their total XP. `answeredBy: 'redis'` also checks that Redis holds each board built, exactly as the
 * reference ranks it, with no projection queued, so that the api read it from Redis; with 'postgres'
 * (Redis away, or behind) the api's answers are checked alone.
 */
async function expectBoardsEqualReference(stage: LeaderboardStage, stream: BoardStream, random: SeededRandom, answeredBy: 'redis' | 'postgres'): Promise<void> {
  const dataSource = stage.fleet.dataSource;
  const reference = await referenceBoards(dataSource);
  expect([...reference.keys()].sort()).toEqual(periodsOf(stream.messages).map(({ code, periodKey }) => boardKey(code, periodKey)).sort());
  for (const board of reference.values()) {
    const label = boardKey(board.code, board.periodKey);
    const shown = await readWholeBoard(stage, board.code, board.periodKey);
    expect({ board: label, ...shown }).toEqual({ board: label, participants: board.ranked.length, entries: ranks(board) });

    const positions = new Map(board.ranked.map((standing, index) => [standing.userId, index]));
    await inBatches(stream.users, 8, async (userId) => {
      const { me } = await getBoard(stage, userId, board.code, `period=${board.periodKey}&limit=1`);
      const position = positions.get(userId);
      expect({ board: label, userId, me }).toEqual({ board: label, userId, me: position === undefined ? null : { rank: position + 1, xp: board.ranked[position].xp } });
    });
    for (let sample = 0; sample < 3; sample += 1) {
      const { userId } = board.ranked[random.int(0, board.ranked.length - 1)];
      const position = positions.get(userId)!;
      const around = await getBoard(stage, userId, board.code, `period=${board.periodKey}&around=me`);
      expect({ board: label, userId, entries: around.entries }).toEqual({
        board: label,
        userId,
        entries: ranks(board).slice(Math.max(0, position - 5), position + 6),
      });
    }

    if (answeredBy === 'redis') {
      const prefix = `${stage.prefix}lb:${board.code}:${board.periodKey}`;
      expect({ board: label, built: await stage.redis.command('EXISTS', `${prefix}:built`) }).toEqual({ board: label, built: 1 });
      // The sorted set itself, in its order: score -xp, member `<15-digit reachedAt ms>:<userId>`.
      const members = (await stage.redis.command('ZRANGE', `${prefix}:ranking`, 0, -1, 'WITHSCORES')) as string[];
      const held = Array.from({ length: members.length / 2 }, (_, index) => `${members[2 * index]} ${-Number(members[2 * index + 1])}`);
      expect({ board: label, held }).toEqual({
        board: label,
        held: board.ranked.map(({ userId, xp, reachedAt }) => `${String(reachedAt).padStart(15, '0')}:${userId} ${xp}`),
      });
    }
  }
  if (answeredBy === 'redis') {
    const [{ queued }] = await dataSource.query(`SELECT count(*)::int AS queued FROM leaderboard_projections`);
    expect({ projectionsQueued: queued }).toEqual({ projectionsQueued: 0 });
  }

  // No double count: all-time XP on the board is the profile's total XP, for every user with XP.
  const profiles: Array<{ user_id: string; total_xp: number }> = await dataSource.query(`SELECT user_id, total_xp FROM user_profiles WHERE total_xp > 0`);
  const allTime = reference.get(boardKey('ALL_TIME_XP', 'all'))!;
  const shownAllTime = await readWholeBoard(stage, 'ALL_TIME_XP', 'all');
  expect(new Map(shownAllTime.entries.map(({ userId, xp }) => [userId, xp]))).toEqual(new Map(profiles.map((row) => [row.user_id, Number(row.total_xp)])));
  expect(shownAllTime.participants).toBe(allTime.ranked.length);
}

/** The facts in Postgres are the stream's: each unique event once, with the contract's XP. */
async function expectFactsOfStream(stage: LeaderboardStage, stream: BoardStream): Promise<void> {
  const unique = uniqueEvents(stream.messages);
  const rows: Array<{ event_id: string; xp_awarded: number; completed_at: Date }> = await stage.fleet.dataSource.query(
    `SELECT event_id, xp_awarded, completed_at FROM processed_events WHERE event_id = ANY($1)`,
    [unique.map((event) => event.eventId)],
  );
  const facts = new Map(rows.map((row) => [row.event_id, `${row.xp_awarded} ${row.completed_at.toISOString()}`]));
  expect(facts).toEqual(new Map(unique.map((event) => [event.eventId, `${contractSessionXp(event)} ${new Date(event.completedAt).toISOString()}`])));
}

/**
 * Waits until every event is processed, no projection is queued, and every board is built in Redis
 * and shown as the reference ranks it (reading the boards is what starts their builds); then checks
 * all of it strictly, so that a board that never settles fails with its difference.
 */
async function expectSettledBoards(stage: LeaderboardStage, stream: BoardStream, random: SeededRandom, deadlineMs = 45_000): Promise<void> {
  const unique = uniqueEvents(stream.messages);
  await eventually(`all ${unique.length} unique events to be processed`, async () => ((await stage.processedCount(unique)) === unique.length ? true : undefined), 90_000);
  await eventually(
    'the boards to be built in Redis, caught up and equal to the reference',
    async () => {
      const [{ queued }] = await stage.fleet.dataSource.query(`SELECT count(*)::int AS queued FROM leaderboard_projections`);
      const reference = await referenceBoards(stage.fleet.dataSource);
      for (const board of reference.values()) {
        const shown = await readWholeBoard(stage, board.code, board.periodKey);
        const built = await stage.redis.command('EXISTS', `${stage.prefix}lb:${board.code}:${board.periodKey}:built`);
        if (queued > 0 || built !== 1 || JSON.stringify(shown) !== JSON.stringify({ participants: board.ranked.length, entries: ranks(board) })) {
          return undefined;
        }
      }
      return true;
    },
    deadlineMs,
  ).catch((error: Error) => console.error(`${error.message}; the strict checks below show what differs`));
  await expectFactsOfStream(stage, stream);
  await expectBoardsEqualReference(stage, stream, random, 'redis');
}

// ---------------------------------------------------------------------------------------------------
// Reads while the stream flows.

/**
 * Reads a board through the api again and again while the test injects faults, each read between two
 * looks at the facts, and records whatever a user must never see: an error; ranks that do not run
 * 1, 2, 3…; XP that goes up down the page; a user with more XP than Postgres has (a double count);
 * the caller's `me` disagreeing with the caller's own entry on the page. While `redisDown` holds for
 * the whole read, Postgres answers, so nobody may show less XP than Postgres had before the read.
 */
class BoardWatcher {
  redisDown = false;
  readonly violations: string[] = [];
  reads = 0;
  readsWhileDown = 0;
  refusals = 0;
  private running = true;
  private readonly loop: Promise<void>;

  private readonly periods: ReadonlyArray<{ readonly code: BoardCode; readonly periodKey: string }>;

  /** `readers` loops read side by side, as users do. */
  constructor(
    private readonly stage: LeaderboardStage,
    private readonly stream: BoardStream,
    private readonly random: SeededRandom,
    readers: number,
  ) {
    this.periods = periodsOf(stream.messages);
    this.loop = Promise.all(Array.from({ length: readers }, () => this.run())).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    process.stdout.write(`read the boards ${this.reads} times mid-stream (${this.readsWhileDown} with Redis down), ${this.refusals} refused with 503 LEADERBOARD_REBUILDING: ${this.violations.length} wrong\n`);
  }

  private async run(): Promise<void> {
    while (this.running) {
      const { code, periodKey } = this.periods[this.random.int(0, this.periods.length - 1)];
      const reader = this.stream.users[this.random.int(0, this.stream.users.length - 1)];
      const query = this.random.next() < 0.5 ? `period=${periodKey}&limit=100` : `period=${periodKey}&around=me`;
      const downBefore = this.redisDown;
      const before = (await referenceBoards(this.stage.fleet.dataSource)).get(boardKey(code, periodKey));
      const page = await this.read(reader, code, query).catch((error: Error) => {
        this.violations.push(error.message);
        return null;
      });
      if (page !== null) {
        const after = (await referenceBoards(this.stage.fleet.dataSource)).get(boardKey(code, periodKey));
        const fromPostgres = downBefore && this.redisDown;
        this.reads += 1;
        this.readsWhileDown += fromPostgres ? 1 : 0;
        this.check(`${code} ${query} as ${reader}${fromPostgres ? ' (Redis down)' : ''}`, page, reader, before, after, fromPostgres);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /**
   * A page, or null for a refusal the route may give while a board is rebuilt: 503
   * LEADERBOARD_REBUILDING with a Retry-After. Anything else but a page is a violation.
   */
  private async read(reader: string, code: string, query: string): Promise<BoardResponse | null> {
    const response = await this.stage.api.http().get(`/gamification/leaderboards/${code}?${query}`).set(bearer(tokenFor(reader)));
    if (response.status === 503 && response.body.code === 'LEADERBOARD_REBUILDING' && Number(response.headers['retry-after']) > 0) {
      this.refusals += 1;
      return null;
    }
    if (response.status !== 200) {
      throw new Error(`GET /gamification/leaderboards/${code}?${query} answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body as BoardResponse;
  }

  private check(read: string, page: BoardResponse, reader: string, before: ReferenceBoard | undefined, after: ReferenceBoard | undefined, fromPostgres: boolean): void {
    const xpBefore = new Map(before?.ranked.map(({ userId, xp }) => [userId, xp]) ?? []);
    const xpAfter = new Map(after?.ranked.map(({ userId, xp }) => [userId, xp]) ?? []);
    const problems: string[] = [];
    const first = page.entries[0]?.rank ?? 1;
    page.entries.forEach(({ rank, userId, xp }, index) => {
      if (rank !== first + index) {
        problems.push(`rank ${rank} at position ${index} of the page`);
      }
      if (index > 0 && xp > page.entries[index - 1].xp) {
        problems.push(`${userId} (${xp} XP) ranked below ${page.entries[index - 1].userId} (${page.entries[index - 1].xp} XP)`);
      }
      if (xp > (xpAfter.get(userId) ?? 0)) {
        problems.push(`${userId} shown with ${xp} XP, more than Postgres has (${xpAfter.get(userId) ?? 0})`);
      }
      if (fromPostgres && xp < (xpBefore.get(userId) ?? 0)) {
        problems.push(`${userId} shown with ${xp} XP, less than Postgres had before the read (${xpBefore.get(userId)})`);
      }
    });
    if (page.participants > xpAfter.size || (fromPostgres && page.participants < xpBefore.size)) {
      problems.push(`participants ${page.participants}, Postgres had ${xpBefore.size} before and ${xpAfter.size} after`);
    }
    const mine = page.entries.find((entry) => entry.userId === reader);
    if (mine !== undefined && (page.me === null || page.me.rank !== mine.rank || page.me.xp !== mine.xp)) {
      problems.push(`me ${JSON.stringify(page.me)} but the caller's entry on the page is ${JSON.stringify(mine)}`);
    }
    if (page.me !== null && page.me.xp > (xpAfter.get(reader) ?? 0)) {
      problems.push(`me shown with ${page.me.xp} XP, more than Postgres has (${xpAfter.get(reader) ?? 0})`);
    }
    if (problems.length > 0) {
      this.violations.push(`${read}: ${problems.join('; ')}`);
    }
  }
}

function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The fault suite's invariants over the whole stream (totals, awards published with their ids,
 * offsets committed); when they fail, what the outbox has that the topics do not is printed.
 */
async function expectEngineInvariants(stage: LeaderboardStage, stream: BoardStream): Promise<void> {
  const inputs = stage.fleet.invariantInputs();
  try {
    await assertInvariants({ ...inputs, produced: stream.messages.map(({ event }) => event) });
  } catch (error) {
    const seen = new Set([...inputs.recorder.received(inputs.topics.badgeAwarded), ...inputs.recorder.received(inputs.topics.levelUp)].map((message) => message.headers['event-id']));
    const rows: Array<{ event_id: string; topic: string; message_key: string; sent_at: Date | null }> = await stage.fleet.dataSource.query(
      `SELECT event_id, topic, message_key, sent_at FROM outbox_messages ORDER BY id`,
    );
    const unseen = rows.filter((row) => !seen.has(row.event_id));
    console.error(`${rows.length} outbox rows, ${seen.size} recorded on the award topics; not recorded: ${JSON.stringify(unseen.slice(0, 20))}`);
    throw error;
  }
}

async function expectNothingDeadLettered(stage: LeaderboardStage): Promise<void> {
  const { recorder, topics } = stage.fleet.invariantInputs();
  expect(recorder.received(topics.sessionCompletedDlq).map((message) => message.value?.toString())).toEqual([]);
}

async function waitForProcessed(stage: LeaderboardStage, events: readonly SessionCompletedMessage[], atLeast: number): Promise<number> {
  return eventually(
    `${atLeast} of ${events.length} events to be processed`,
    async () => {
      const count = await stage.processedCount(events);
      return count >= atLeast ? count : undefined;
    },
    90_000,
  );
}

async function waitForBuilt(stage: LeaderboardStage, stream: BoardStream): Promise<void> {
  await eventually(
    'every board to be built in Redis',
    async () => {
      for (const { code, periodKey } of periodsOf(stream.messages)) {
        // A read of a board that Redis lacks starts its build.
        await getBoard(stage, 'board-reader', code, `period=${periodKey}&limit=1`);
        if ((await stage.redis.command('EXISTS', `${stage.prefix}lb:${code}:${periodKey}:built`)) !== 1) {
          return undefined;
        }
      }
      return true;
    },
    30_000,
  );
}

// ---------------------------------------------------------------------------------------------------

describe('leaderboards under Redis faults: no wrong rank, no double count', () => {
  let redis: PrivateRedis;
  let stage: LeaderboardStage | undefined;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
  });

  afterEach(async () => {
    await stage?.stop();
    stage = undefined;
    if (!redis.running) {
      await redis.start();
    }
    await redis.command('CLIENT', 'UNPAUSE');
  });

  afterAll(async () => {
    await redis?.dispose();
  });

  it('ranks every user as Postgres does after Redis is flushed mid-stream, answering from Postgres while the boards are built again', async () => {
    const random = seededRandom('leaderboards-redis: flushed');
    stage = await LeaderboardStage.start(redis, 'gamification_test_lb_flushed');
    await stage.fleet.startWorker();
    const stream = boardStream('flushed', random, 20, 10);
    const unique = uniqueEvents(stream.messages);
    const watcher = new BoardWatcher(stage, stream, random, 4);

    const sending = stage.stream(stream.messages, 12, 80);
    await waitForBuilt(stage, stream);
    const flushedAt = await waitForProcessed(stage, unique, Math.round(unique.length * (0.3 + 0.3 * random.next())));
    await redis.command('FLUSHALL');
    process.stdout.write(`flushed Redis with ${flushedAt} of ${unique.length} events processed\n`);
    await sending;

    await expectSettledBoards(stage, stream, random);
    await watcher.stop();
    await expectNothingDeadLettered(stage);
    await expectEngineInvariants(stage, stream);
    expect(watcher.reads).toBeGreaterThan(10);
    expect(watcher.violations).toEqual([]);
  });

  it('keeps applying events while Redis is stopped, answers from Postgres meanwhile, and ranks as Postgres does once Redis is back', async () => {
    const random = seededRandom('leaderboards-redis: stopped');
    stage = await LeaderboardStage.start(redis, 'gamification_test_lb_stopped');
    const worker = await stage.fleet.startWorker();
    const stream = boardStream('stopped', random, 20, 10);
    const unique = uniqueEvents(stream.messages);
    const [first, second] = [Math.round(stream.messages.length * 0.4), Math.round(stream.messages.length * 0.7)];
    const watcher = new BoardWatcher(stage, stream, random, 4);

    // Redis stops while the first part flows; the second part is produced and applied while it is away.
    const sendingFirst = stage.stream(stream.messages.slice(0, first), 12, 80);
    await waitForBuilt(stage, stream);
    const stoppedAt = await waitForProcessed(stage, unique, Math.round(unique.length * (0.15 + 0.15 * random.next())));
    await redis.stop();
    watcher.redisDown = true;
    process.stdout.write(`stopped Redis with ${stoppedAt} of ${unique.length} events processed\n`);
    await sendingFirst;
    await stage.stream(stream.messages.slice(first, second), 12, 80);
    const appliedWhileDown = uniqueEvents(stream.messages.slice(0, second));
    await waitForProcessed(stage, appliedWhileDown, appliedWhileDown.length);
    // Postgres is the source of truth: the boards are whole and right with Redis away.
    await expectBoardsEqualReference(stage, firstOf(stream, second), random, 'postgres');
    await expectNothingDeadLettered(stage);

    // Redis comes back empty, on the same port, while the last part flows.
    const sendingLast = stage.stream(stream.messages.slice(second), 12, 80);
    await waitForProcessed(stage, unique, appliedWhileDown.length + Math.round((unique.length - appliedWhileDown.length) * 0.3));
    watcher.redisDown = false;
    await redis.start();
    await sendingLast;

    await expectSettledBoards(stage, stream, random);
    await watcher.stop();
    expect(watcher.readsWhileDown).toBeGreaterThan(5);
    // The one worker applied everything, through the outage: it never stopped.
    expect(stage.fleet.workers).toEqual([worker]);
    expect((await fetch(`http://127.0.0.1:${worker.port}/health`)).status).toBe(200);
    await expectNothingDeadLettered(stage);
    await expectEngineInvariants(stage, stream);
    expect(watcher.violations).toEqual([]);
  });

  it('catches up the projection of a worker SIGKILLed between its commit and its Redis write, never showing the stale rank once it is overdue', async () => {
    const random = seededRandom('leaderboards-redis: killed before Redis');
    stage = await LeaderboardStage.start(redis, 'gamification_test_lb_killed');
    const worker = await stage.fleet.startWorker();
    const stream = boardStream('killed', random, 20, 10);
    const [first, second] = [Math.round(stream.messages.length * 0.5), Math.round(stream.messages.length * 0.75)];

    // The first half, applied and projected: the boards are built and right.
    await stage.stream(stream.messages.slice(0, first), 12, 40);
    await waitForBuilt(stage, stream);
    await expectSettledBoards(stage, firstOf(stream, first), random);

    // Redis takes no writes: the worker commits the next quarter but cannot project it. SIGKILLed then.
    await redis.command('CLIENT', 'PAUSE', 120_000, 'WRITE');
    const paused = uniqueEvents(stream.messages.slice(first, second));
    await stage.stream(stream.messages.slice(first, second), 12, 40);
    await waitForProcessed(stage, paused, paused.length);
    await new Promise((resolve) => setTimeout(resolve, random.int(0, 400)));
    await worker.kill('SIGKILL');
    await redis.command('CLIENT', 'UNPAUSE');
    const lost: Array<{ id: string }> = await stage.fleet.dataSource.query(`SELECT id FROM leaderboard_projections ORDER BY id`);
    process.stdout.write(`SIGKILLed the worker with ${lost.length} projections not in Redis\n`);
    expect(lost.length).toBeGreaterThan(0);

    // Redis still ranks the boards as they were (the fault took), but once the lost projections are
    // overdue the api answers from Postgres: the ranks are right.
    const weekly = periodsOf(stream.messages).find(({ code }) => code === 'WEEKLY_XP')!;
    const reference = (await referenceBoards(stage.fleet.dataSource)).get(boardKey(weekly.code, weekly.periodKey))!;
    const held = (await redis.command('ZRANGE', `${stage.prefix}lb:${weekly.code}:${weekly.periodKey}:ranking`, 0, -1, 'WITHSCORES')) as string[];
    const heldXp = new Map(Array.from({ length: held.length / 2 }, (_, index) => [held[2 * index].slice(16), -Number(held[2 * index + 1])]));
    expect(reference.ranked.some(({ userId, xp }) => heldXp.get(userId) !== xp)).toBe(true);
    await eventually(
      'the lost projections to be overdue',
      async () => {
        const [{ overdue }] = await stage!.fleet.dataSource.query(
          `SELECT bool_and(queued_at <= statement_timestamp() - $1 * interval '1 millisecond') AS overdue FROM leaderboard_projections WHERE id = ANY($2::bigint[])`,
          [LOST_AFTER_MS, lost.map((row) => row.id)],
        );
        return overdue === true ? true : undefined;
      },
      30_000,
    );
    await expectBoardsEqualReference(stage, firstOf(stream, second), random, 'postgres');

    // A new worker in the same group catches the lost projections up and goes on with the stream.
    await stage.fleet.startWorker();
    await stage.stream(stream.messages.slice(second), 12, 40);
    await expectSettledBoards(stage, stream, random);
    const [{ remaining }] = await stage.fleet.dataSource.query(`SELECT count(*)::int AS remaining FROM leaderboard_projections WHERE id = ANY($1::bigint[])`, [
      lost.map((row) => row.id),
    ]);
    expect(remaining).toBe(0);
    await expectNothingDeadLettered(stage);
    await expectEngineInvariants(stage, stream);
  });

  it('builds a board again when Redis is flushed while the board is being built, instead of marking it built without what the flush took', async () => {
    const random = seededRandom('leaderboards-redis: flushed mid-build');
    stage = await LeaderboardStage.start(redis, 'gamification_test_lb_mid_build');
    await stage.fleet.startWorker();
    const stream = boardStream('midbuild', random, 8, 4);
    await stage.stream(stream.messages, 20, 20);
    await expectSettledBoards(stage, stream, random);

    // Redis is flushed; the next read of the week's board finds it missing and starts its build. As
    // soon as the build writes its first standings (a keyspace notification of the sorted set), Redis
    // is flushed again — while the build holds its lease, before it marks the board built. (A board of
    // many users takes seconds to build, page after page: a restart or a flush during one is likely.)
    const { periodKey } = periodsOf(stream.messages).find(({ code }) => code === 'WEEKLY_XP')!;
    const board = `${stage.prefix}lb:WEEKLY_XP:${periodKey}`;
    await redis.command('CONFIG', 'SET', 'notify-keyspace-events', 'Kz');
    const subscriber = redis.connection();
    const control = redis.connection();
    try {
      await subscriber.subscribe(`__keyspace@0__:${board}:ranking`);
      const secondFlush = new Promise<unknown>((resolve, reject) => {
        subscriber.once('message', () => {
          // One step: whether the build's lease was held when the flush took everything.
          control.multi().exists(`${board}:building`).flushall().exec().then(resolve, reject);
        });
      });
      await redis.command('FLUSHALL');
      const reference = (await referenceBoards(stage.fleet.dataSource)).get(boardKey('WEEKLY_XP', periodKey))!;
      const answer = await getBoard(stage, 'board-reader', 'WEEKLY_XP', `period=${periodKey}&limit=100`);
      expect(answer.entries).toEqual(ranks(reference));
      const [[, leaseHeld]] = (await within(secondFlush, 15_000, 'the build to write the board')) as Array<[Error | null, unknown]>;
      expect({ leaseHeldWhenFlushed: leaseHeld }).toEqual({ leaseHeldWhenFlushed: 1 });
    } finally {
      subscriber.disconnect();
      control.disconnect();
      await redis.command('CONFIG', 'SET', 'notify-keyspace-events', '');
    }

    await expectSettledBoards(stage, stream, random, 10_000);
  });

  it('builds the boards again when Redis comes back from an older snapshot, instead of serving the snapshot as built', async () => {
    const random = seededRandom('leaderboards-redis: back from a snapshot');
    stage = await LeaderboardStage.start(redis, 'gamification_test_lb_snapshot');
    await stage.fleet.startWorker();
    const stream = boardStream('snapshot', random, 8, 4);
    const half = Math.round(stream.messages.length / 2);
    await stage.stream(stream.messages.slice(0, half), 20, 20);
    await expectSettledBoards(stage, firstOf(stream, half), random);

    // Redis snapshots the built boards (as RDB persistence, on in a default redis-server, does every
    // few minutes); the second half is applied and projected, its projections released; then Redis
    // crashes and starts again from that snapshot: boards marked built, with the first half's standings.
    await redis.command('SAVE');
    await stage.stream(stream.messages.slice(half), 20, 20);
    await expectSettledBoards(stage, stream, random);
    await redis.stop();
    try {
      await redis.start();
    } finally {
      redis.forgetSnapshot();
    }
    const { periodKey } = periodsOf(stream.messages).find(({ code }) => code === 'WEEKLY_XP')!;
    expect(await redis.command('EXISTS', `${stage.prefix}lb:WEEKLY_XP:${periodKey}:built`)).toBe(1);

    await expectSettledBoards(stage, stream, random, 10_000);
  });
});
