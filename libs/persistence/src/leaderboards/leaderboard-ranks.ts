import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfig } from '@app/config';
import { REDIS } from '../redis/redis.module';
import type { StoredStanding } from './leaderboard.repository';

/** A page of a board read from Redis: positions are 0-based. */
export interface RanksPage {
  readonly participants: number;
  /** The position of the first entry. */
  readonly from: number;
  readonly entries: ReadonlyArray<{ readonly userId: string; readonly xp: number }>;
  /** The caller's position and XP; null when they have none on the board. */
  readonly me: { readonly position: number; readonly xp: number } | null;
}

export type RanksQuery = { readonly userId: string } & ({ readonly around: true } | { readonly around: false; readonly offset: number; readonly limit: number });

// Engine time in milliseconds, 15 digits: fixed width, so that members compare as their times do
// (until the year 33658).
const TIME_DIGITS = 15;

/**
 * Writes standings, newest revision wins. KEYS: the ranking (sorted set) and the standings (hash);
 * ARGV[1]: `userId revision -xp time` per standing, all separated by spaces (a userId has none), at
 * most WRITE_CHUNK of them: as one argument each, the worker spent 2% of its CPU encoding the
 * command, where Lua splits the text in a fraction of a millisecond. The hash keeps each
 * user's revision and time, so a write older than the one Redis has (a retry, a replay, a rebuild
 * reading an older row) changes nothing, and the user's old member is found and replaced. Of a user
 * given twice, the newer revision counts. One HMGET, ZREM, ZADD and HSET for all the standings: a
 * call per standing took a third longer.
 */
const WRITE_SCRIPT = `
local given = {}
for token in string.gmatch(ARGV[1], '%S+') do
  given[#given + 1] = token
end
local newest = {}
local order = {}
for i = 1, #given, 4 do
  local user = given[i]
  local seen = newest[user]
  if seen == nil then
    order[#order + 1] = user
    newest[user] = i
  elseif tonumber(given[i + 1]) > tonumber(given[seen + 1]) then
    newest[user] = i
  end
end
local held = redis.call('HMGET', KEYS[2], unpack(order))
local removed, added, stored = {}, {}, {}
for j = 1, #order do
  local user = order[j]
  local i = newest[user]
  local revision, score, at = given[i + 1], given[i + 2], given[i + 3]
  local before = held[j]
  local newer = true
  if before then
    local bar = string.find(before, '|', 1, true)
    if tonumber(string.sub(before, 1, bar - 1)) >= tonumber(revision) then
      newer = false
    else
      removed[#removed + 1] = string.sub(before, bar + 1) .. ':' .. user
    end
  end
  if newer then
    stored[#stored + 1] = user
    stored[#stored + 1] = revision .. '|' .. at
    if score ~= '0' then
      added[#added + 1] = score
      added[#added + 1] = at .. ':' .. user
    end
  end
end
if #removed > 0 then redis.call('ZREM', KEYS[1], unpack(removed)) end
if #added > 0 then redis.call('ZADD', KEYS[1], unpack(added)) end
if #stored > 0 then redis.call('HSET', KEYS[2], unpack(stored)) end
return #stored / 2`;

// Standings per call of WRITE_SCRIPT: its commands take them all as arguments, which Lua bounds.
const WRITE_CHUNK = 1_000;

// The id of this Redis server's run: a board's built mark holds the run that built it, so a Redis
// restarted from an older snapshot (its marks say "built" over standings that miss what came after)
// is not trusted. About 20 µs of INFO per call.
const RUN_ID = `local run = string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')`;

/**
 * Marks a board built, if the build that asks still holds its lease (KEYS[2] = ARGV[1]): a flush or
 * a restart during the build took the lease with the standings, and the board stays unbuilt. The
 * mark, the ranking (KEYS[3]) and the standings (KEYS[4]) then share one lifetime: until ARGV[2]
 * (epoch ms), or for good when it is empty. A board must never outlive its standings, as it would if
 * the finals sweep gave them an expiry during the build and the mark came without one.
 */
const MARK_SCRIPT = `${RUN_ID}
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], run)
for _, key in ipairs({KEYS[1], KEYS[3], KEYS[4]}) do
  if ARGV[2] == '' then
    redis.call('PERSIST', key)
  else
    redis.call('PEXPIREAT', key, ARGV[2])
  end
end
return 1`;

/**
 * Reads a page of a board and the caller's position in one step, or nil when the board is not built
 * in this run of Redis (KEYS[3], its mark). ARGV: userId, around (1/0), offset, limit.
 */
const READ_SCRIPT = `#!lua flags=no-writes
${RUN_ID}
if redis.call('GET', KEYS[3]) ~= run then
  return false
end
local participants = redis.call('ZCARD', KEYS[1])
local position = -1
local score = ''
local held = redis.call('HGET', KEYS[2], ARGV[1])
if held then
  local bar = string.find(held, '|', 1, true)
  local member = string.sub(held, bar + 1) .. ':' .. ARGV[1]
  local rank = redis.call('ZRANK', KEYS[1], member)
  if rank then
    position = rank
    score = redis.call('ZSCORE', KEYS[1], member)
  end
end
local from
local to
if ARGV[2] == '1' then
  if position < 0 then
    return {participants, position, score, 0, {}}
  end
  from = math.max(0, position - 5)
  to = position + 5
else
  from = tonumber(ARGV[3])
  to = from + tonumber(ARGV[4]) - 1
end
return {participants, position, score, from, redis.call('ZRANGE', KEYS[1], from, to, 'WITHSCORES')}`;

type ReadReply = [number, number, string, number, string[]] | null;

interface RanksCommands {
  writeStandings(ranking: string, standings: string, packed: string): Promise<number>;
  readRanks(ranking: string, standings: string, built: string, ...args: string[]): Promise<ReadReply>;
  markBuilt(built: string, building: string, ranking: string, standings: string, owner: string, keptUntil: string): Promise<number>;
}

/**
 * The boards' read model in Redis (contract section 9): per board and period, a sorted set ranks the
 * users and a hash keeps each one's revision. Score -xp, member `<engine time, 15 digits>:<userId>`:
 * Redis orders equal scores by member bytes, so the set's order is XP descending, then who reached it
 * first, then userId by its bytes, exact for any XP up to 2^53 - 1. A board is built (its mark set)
 * once it holds every standing Postgres has; until then it is not read.
 */
@Injectable()
export class LeaderboardRanks {
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis | null,
    config: AppConfig,
  ) {
    this.prefix = config.redis.keyPrefix;
    this.redis?.defineCommand('writeStandings', { numberOfKeys: 2, lua: WRITE_SCRIPT });
    this.redis?.defineCommand('readRanks', { numberOfKeys: 3, lua: READ_SCRIPT });
    this.redis?.defineCommand('markBuilt', { numberOfKeys: 4, lua: MARK_SCRIPT });
  }

  /** Whether this process has Redis; without it the boards are read from Postgres. */
  get available(): boolean {
    return this.redis !== null;
  }

  /**
   * Writes standings (absolute values; an older revision than Redis holds changes nothing). UserIds
   * have no whitespace: the contract allows [A-Za-z0-9._:@-], and every way in checks it.
   */
  async write(standings: readonly StoredStanding[]): Promise<void> {
    const boards = new Map<string, string[]>();
    for (const { userId, code, periodKey, xp, reachedAt, revision } of standings) {
      const key = `${code}:${periodKey}`;
      const given = boards.get(key) ?? [];
      given.push(`${userId} ${revision} ${xp > 0 ? -xp : 0} ${String(reachedAt.getTime()).padStart(TIME_DIGITS, '0')}`);
      boards.set(key, given);
    }
    const commands = this.commands();
    const calls: Array<Promise<number>> = [];
    for (const [board, given] of boards) {
      for (let at = 0; at < given.length; at += WRITE_CHUNK) {
        calls.push(commands.writeStandings(`${this.prefix}lb:${board}:ranking`, `${this.prefix}lb:${board}:standings`, given.slice(at, at + WRITE_CHUNK).join(' ')));
      }
    }
    await Promise.all(calls);
  }

  /** A page of a board, or null when it is not built. */
  async read(code: string, periodKey: string, query: RanksQuery): Promise<RanksPage | null> {
    const board = this.boardKey(code, periodKey);
    const reply = await this.commands().readRanks(
      `${board}:ranking`,
      `${board}:standings`,
      `${board}:built`,
      query.userId,
      query.around ? '1' : '0',
      query.around ? '0' : String(query.offset),
      query.around ? '0' : String(query.limit),
    );
    if (reply === null) {
      return null;
    }
    const [participants, position, score, from, flat] = reply;
    const entries: Array<{ userId: string; xp: number }> = [];
    for (let i = 0; i < flat.length; i += 2) {
      entries.push({ userId: flat[i].slice(TIME_DIGITS + 1), xp: -Number(flat[i + 1]) });
    }
    return { participants, from, entries, me: position < 0 ? null : { position, xp: -Number(score) } };
  }

  /** Empties a board before it is built again, and unmarks it. */
  async clear(code: string, periodKey: string): Promise<void> {
    const board = this.boardKey(code, periodKey);
    await this.client().del(`${board}:built`, `${board}:ranking`, `${board}:standings`);
  }

  /**
   * Marks a board built (it holds every standing Postgres had when its build began, and what came
   * after), for this run of Redis, and kept until `keptUntil` (null: for good); false when the build's
   * lease is gone (Redis flushed or restarted meanwhile), and the board stays unbuilt.
   */
  async markBuilt(code: string, periodKey: string, owner: string, keptUntil: Date | null): Promise<boolean> {
    const board = this.boardKey(code, periodKey);
    const until = keptUntil === null ? '' : String(keptUntil.getTime());
    return (await this.commands().markBuilt(`${board}:built`, `${board}:building`, `${board}:ranking`, `${board}:standings`, owner, until)) === 1;
  }

  /** Lets a board (its ranking, standings and mark, together) leave Redis at `at`; a board not there is left alone. */
  async keepUntil(code: string, periodKey: string, at: Date): Promise<void> {
    const board = this.boardKey(code, periodKey);
    const when = at.getTime();
    await this.client().multi().pexpireat(`${board}:built`, when).pexpireat(`${board}:ranking`, when).pexpireat(`${board}:standings`, when).exec();
  }

  /** Takes the right to build a board for `ttlMs`; false when another process holds it. */
  async claimBuild(code: string, periodKey: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.client().set(`${this.boardKey(code, periodKey)}:building`, owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  /** Keeps the right to build for another `ttlMs`, while the build makes progress. */
  async renewBuild(code: string, periodKey: string, ttlMs: number): Promise<void> {
    await this.client().pexpire(`${this.boardKey(code, periodKey)}:building`, ttlMs);
  }

  async releaseBuild(code: string, periodKey: string): Promise<void> {
    await this.client().del(`${this.boardKey(code, periodKey)}:building`);
  }

  /** The prefix of a board's keys: `…:ranking`, `…:standings`, `…:built` and `…:building`. */
  private boardKey(code: string, periodKey: string): string {
    return `${this.prefix}lb:${code}:${periodKey}`;
  }

  private client(): Redis {
    if (this.redis === null) {
      throw new Error('REDIS_URL is not set: the leaderboards need Redis');
    }
    return this.redis;
  }

  private commands(): RanksCommands {
    return this.client() as unknown as RanksCommands;
  }
}
