import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Pool } from 'pg';
import { loadAppConfig, loadRulesFile } from '@app/config';
import { appEntry, freePort, printProgress, recreateDatabase, WORKER_NODE_FLAGS } from '@app/dev-stack';
import { waitUntil } from './support/stats';
import { dueNotices, fillStreakPopulation, quietZones, SWEEP_ZONES, type DueNotices } from './support/streak-population';

export interface StreakSweepOptions {
  readonly root: string;
  /** A database URL whose database this stage drops and recreates for itself. */
  readonly databaseUrl: string;
  readonly brokers: readonly string[];
  /** Names this run's topics and consumer groups. */
  readonly run: string;
  readonly users: number;
  /** How many of them have streak notices due when the worker starts. */
  readonly due: number;
  /** Tenths of the due users who owe three notices (an outage's backlog); 0 is a minute's ordinary sweep. */
  readonly backlogTenths: number;
}

export interface StreakSweepResults {
  readonly streakSweepUsers: number;
  readonly streakSweepDueUsers: number;
  readonly streakSweepAtRiskNotices: number;
  readonly streakSweepFrozenNotices: number;
  readonly streakSweepLostNotices: number;
  /** The start sweep of a fresh worker, which runs while the rest of the worker starts. */
  readonly streakSweepSeconds: number;
  /** Entries of the streak_due index the start sweep's scans returned: the due users, plus what later batches pass over again. */
  readonly streakSweepIndexEntriesRead: number;
  /** A sweep of a running worker (its timer's), the same users due again. */
  readonly streakSweepRunningSeconds: number;
  /** The start sweep of a worker with nothing due. */
  readonly streakSweepNothingDueSeconds: number;
  /** A sweep of a running worker with nothing due. */
  readonly streakSweepNothingDueRunningSeconds: number;
}

/** A share of the users with a live streak, due later (not now): a few hundred thousand of a million. */
const LIVE_SHARE = 0.3;
/**
 * Zones whose clock reaches the reminder time or midnight this soon after the fill are left out, so
 * that what is due, and which notices, does not change while the stage runs (a few minutes).
 */
const QUIET_MINUTES = 20;
/** The first worker sweeps once, at its start; the second also on its timer, every few seconds. */
const ONCE_INTERVAL_MS = 3_600_000;
const RUNNING_INTERVAL_MS = 3_000;
const SWEEP_LINE = /^streak sweep queued (\d+) notices$/;

interface SweepLine {
  readonly users: number;
  readonly 'streak.at_risk': number;
  readonly 'streak.frozen': number;
  readonly 'streak.lost': number;
  readonly seconds: number;
}

interface SweepWorker {
  /** The next of the worker's "streak sweep queued N notices" lines not taken yet (a sweep that queued nothing logs none). */
  nextSweepLine(): Promise<SweepLine>;
  /** Once the worker has observed `count` sweeps in gamification_streak_sweep_seconds: their count and total seconds. */
  sweeps(count: number): Promise<{ readonly count: number; readonly seconds: number }>;
  /** Waits until the worker is ready: its consumer joined, its start-up over. */
  ready(): Promise<void>;
  /** Waits until the worker is ready, then stops it as its supervisor would. */
  stop(): Promise<void>;
}

/** The user_profiles counters of pg_stat: what the scans of a worker's life read and wrote. */
interface ScanCounters {
  readonly seqScans: number;
  readonly rowsUpdated: number;
  readonly dueIndexScans: number;
  readonly dueIndexEntriesRead: number;
  readonly primaryKeyScans: number;
}

/**
 * The streak sweep stage: a database of its own holding `users` profiles of which `due` have
 * notices due, then the built worker, started as in production with a sweep interval long enough
 * that only its start sweep runs, timed by its own log line. Then a second worker, with a short
 * interval: its start sweep finds nothing due; the swept users are put back as they were (their
 * notices deleted from the outbox) and its next sweep, in a warm process, does the same work again.
 * Checks that the sweeps read the due users through the partial index and no others, rewrote
 * exactly them, and queued the notices the contract's rules give them.
 */
export async function streakSweep(options: StreakSweepOptions, log: (line: string) => void): Promise<StreakSweepResults> {
  const { root, databaseUrl, users, due } = options;
  if (due > users) {
    throw new Error(`--sweep-due=${due} is more than --sweep-users=${users}`);
  }
  const live = Math.min(Math.round(users * LIVE_SHARE), users - due);
  const rulesSource = join('config', 'rules.yaml');
  const rules = loadRulesFile(join(root, rulesSource));
  const workerEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: options.brokers.join(','),
    TOPIC_SESSION_COMPLETED: `bench.sweep.session.completed.${options.run}`,
    TOPIC_SESSION_COMPLETED_DLQ: `bench.sweep.session.completed.dlq.${options.run}`,
    TOPIC_BADGE_AWARDED: `bench.sweep.badge.awarded.${options.run}`,
    TOPIC_LEVEL_UP: `bench.sweep.level.up.${options.run}`,
    TOPIC_STREAK_AT_RISK: `bench.sweep.streak.at_risk.${options.run}`,
    TOPIC_STREAK_FROZEN: `bench.sweep.streak.frozen.${options.run}`,
    TOPIC_STREAK_LOST: `bench.sweep.streak.lost.${options.run}`,
    TOPIC_LEADERBOARD_FINISHED: `bench.sweep.leaderboard.finished.${options.run}`,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `bench-sweep-${options.run}:`,
    RULES_FILE: rulesSource,
    LOG_LEVEL: 'log',
    LOG_FORMAT: 'json',
  };
  const { batchSize } = loadAppConfig(workerEnv, 'worker').streakSweep;
  // One connection: it is the only session on the database besides the worker's, which the stage waits out.
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    await recreateDatabase(databaseUrl, printProgress);
    const now = new Date();
    const zones = await quietZones(pool, SWEEP_ZONES, now, rules.streakReminderLocalTime, QUIET_MINUTES);
    const left = SWEEP_ZONES.filter((zone) => !zones.includes(zone));
    printProgress(
      `  filling ${users} users (${due} due, ${live} with a live streak due later) over ${zones.length} zones` +
        (left.length > 0 ? ` (${left.join(', ')} left out: their reminder time or midnight is less than ${QUIET_MINUTES} min away)` : '') +
        '...',
    );
    await fillStreakPopulation(pool, { users, due, live, zones, now, rules, rulesSource, backlogTenths: options.backlogTenths }, printProgress);
    const expected = await dueNotices(pool, now, rules.streakReminderLocalTime);
    if (expected.due !== due) {
      throw new Error(`the fill left ${expected.due} users due, not ${due}`);
    }
    // The due users as they are before any sweep: to check what the sweeps rewrite, and to put them back.
    await pool.query(
      `CREATE TABLE bench_sweep_due AS SELECT user_id, streak_warned_on, streak_day_ends_through, streak_due_at
       FROM user_profiles WHERE streak_due_at <= $1`,
      [now],
    );

    const plan = await explainDueQuery(pool, now, batchSize);
    // An index scan in due order, or a bitmap scan and a sort when all the due users fit in a batch; never a sequential scan.
    const usesIndex = plan.some((line) => /(using|on) user_profiles_streak_due\b/.test(line)) && !plan.some((line) => line.includes('Seq Scan'));
    log(`streak sweep: the due query (batches of ${batchSize}) ${usesIndex ? 'reads through the partial index user_profiles_streak_due' : 'does NOT read through the partial index'}:`);
    plan.forEach((line) => log(`  ${line}`));
    const problems: string[] = usesIndex ? [] : ['the due query does not use user_profiles_streak_due'];
    const check = (what: string, line: SweepLine, scans: ScanCounters | null, rewrites: string[]) => {
      const queued = `${line['streak.at_risk']} / ${line['streak.frozen']} / ${line['streak.lost']}`;
      log(`streak sweep, ${what}: ${line.users} users of ${users} due, ${line.seconds.toFixed(3)} s; queued at_risk / frozen / lost ${queued}`);
      if (scans !== null) {
        log(
          `  read ${scans.dueIndexEntriesRead} entries of user_profiles_streak_due in ${scans.dueIndexScans} index scans, ` +
            `${scans.seqScans} sequential scans of user_profiles; ${scans.rowsUpdated} rows updated (${scans.primaryKeyScans} primary-key lookups)`,
        );
        if (scans.seqScans !== 0) {
          problems.push(`${what}: user_profiles was scanned sequentially ${scans.seqScans} times`);
        }
      }
      if (line.users !== due) {
        problems.push(`${what}: took ${line.users} users, not the ${due} due`);
      }
      for (const type of Object.keys(expected.notices) as Array<keyof DueNotices['notices']>) {
        if (line[type] !== expected.notices[type]) {
          problems.push(`${what}: queued ${line[type]} ${type}, not ${expected.notices[type]}`);
        }
      }
      problems.push(...rewrites.map((problem) => `${what}: ${problem}`));
    };
    log(
      `streak sweep: expected at_risk / frozen / lost ${expected.notices['streak.at_risk']} / ${expected.notices['streak.frozen']} / ${expected.notices['streak.lost']} ` +
        `(${expected.shapes.frozen} users with a frozen day, ${expected.shapes.lost} with a lost streak, ${expected.shapes.backlog} with two frozen days and a lost streak)`,
    );

    printProgress(`  starting a worker: its start sweep has ${due} users due...`);
    const before = await scanCounters(pool);
    let xid = await transactionId(pool);
    const first = await startSweepWorker(root, { ...workerEnv, STREAK_SWEEP_INTERVAL_MS: String(ONCE_INTERVAL_MS) }, `${options.run}-start`);
    let startLine: SweepLine;
    try {
      startLine = await first.nextSweepLine();
      const observed = await first.sweeps(1);
      if (observed.count !== 1 || Math.abs(observed.seconds - startLine.seconds) > 0.001) {
        problems.push(`gamification_streak_sweep_seconds shows ${observed.count} sweeps of ${observed.seconds} s, the log one of ${startLine.seconds} s`);
      }
    } finally {
      await first.stop();
    }
    await sessionsEnded(pool);
    const startScans = difference(await scanCounters(pool), before);
    check('start sweep of a fresh worker', startLine, startScans, await checkSweepEffects(pool, xid, expected));

    printProgress(`  starting a second worker, sweeping every ${RUNNING_INTERVAL_MS / 1000} s: its start sweep has nothing due...`);
    const secondBefore = await scanCounters(pool);
    const second = await startSweepWorker(root, { ...workerEnv, STREAK_SWEEP_INTERVAL_MS: String(RUNNING_INTERVAL_MS) }, `${options.run}-running`);
    let nothingDueSeconds: number;
    let nothingDueRunningSeconds: number;
    let runningLine: SweepLine;
    try {
      const started = await second.sweeps(1);
      // Its first sweep, unless a slow poll let the timer's next one in too.
      nothingDueSeconds = started.seconds / started.count;
      // A running worker's sweep: not one that shares the cores with the worker's start-up (its consumer joining the group).
      await second.ready();
      printProgress(`  putting the ${due} users back as they were before the sweep, their notices out of the outbox, for the worker's next sweep...`);
      const restored = await restoreDueUsers(pool);
      if (restored !== due) {
        throw new Error(`put back ${restored} users, not ${due}`);
      }
      xid = await transactionId(pool);
      runningLine = await second.nextSweepLine();
      const swept = await second.sweeps(1);
      nothingDueRunningSeconds = (await second.sweeps(swept.count + 1)).seconds - swept.seconds;
    } finally {
      await second.stop();
    }
    await sessionsEnded(pool);
    const secondScans = difference(await scanCounters(pool), secondBefore);
    if (secondScans.seqScans !== 0) {
      problems.push(`the second worker scanned user_profiles sequentially ${secondScans.seqScans} times`);
    }
    check('sweep of a running worker', runningLine, null, await checkSweepEffects(pool, xid, expected));
    log(`streak sweep, nothing due: ${nothingDueSeconds.toFixed(3)} s (start sweep of a fresh worker), ${nothingDueRunningSeconds.toFixed(3)} s (sweep of a running worker)`);
    log(`streak sweep: load average ${loadavg()[0].toFixed(1)} over the last minute, on ${cpus().length} cores`);

    if (Date.now() - now.getTime() > QUIET_MINUTES * 60_000) {
      log(`streak sweep: the stage took longer than ${QUIET_MINUTES} min: a zone's reminder time or midnight may have passed meanwhile`);
    }
    if (problems.length > 0) {
      throw new Error(`the streak sweep stage found: ${problems.join('; ')}`);
    }
    return {
      streakSweepUsers: users,
      streakSweepDueUsers: startLine.users,
      streakSweepAtRiskNotices: startLine['streak.at_risk'],
      streakSweepFrozenNotices: startLine['streak.frozen'],
      streakSweepLostNotices: startLine['streak.lost'],
      streakSweepSeconds: startLine.seconds,
      streakSweepIndexEntriesRead: startScans.dueIndexEntriesRead,
      streakSweepRunningSeconds: runningLine.seconds,
      streakSweepNothingDueSeconds: nothingDueSeconds,
      streakSweepNothingDueRunningSeconds: nothingDueRunningSeconds,
    };
  } finally {
    await pool.end();
  }
}

/**
 * The built worker on the stage's database, as production starts it (its heap cap included), with
 * its JSON log read line by line: the sweep lines are kept, warnings and errors passed on.
 */
async function startSweepWorker(root: string, env: NodeJS.ProcessEnv, name: string): Promise<SweepWorker> {
  const port = await freePort();
  // BENCH_WORKER_NODE_OPTIONS passes profiling flags to the worker, as for the stream stages' workers.
  const nodeOptions = (process.env.BENCH_WORKER_NODE_OPTIONS ?? '').split(' ').filter((option) => option !== '');
  const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, ...nodeOptions, appEntry('worker')], {
    cwd: root,
    env: { ...env, KAFKA_GROUP_ID: `bench-sweep-${name}`, WORKER_HTTP_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let exit: string | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = `worker ${name} exited (${code ?? signal}); its last lines:\n${recent.join('\n')}`;
      resolve();
    }),
  );
  const recent: string[] = [];
  const lines: SweepLine[] = [];
  let failure: string | null = null;
  createInterface({ input: child.stdout! }).on('line', (text) => {
    recent.push(text);
    recent.splice(0, recent.length - 20);
    const entry = parseLogLine(text);
    const message = typeof entry?.msg === 'string' ? entry.msg : '';
    if (SWEEP_LINE.test(message)) {
      lines.push(entry as unknown as SweepLine);
    } else if (message.startsWith('the streak sweep failed')) {
      failure = `worker ${name}: ${message}`;
    }
    if (typeof entry?.level === 'number' && entry.level >= 40) {
      process.stderr.write(`  worker ${name}: ${text}\n`);
    }
  });
  /** Waits for `probe`, failing as soon as the sweep failed or the worker exited. */
  const waitFor = (what: string, probe: () => Promise<boolean>) =>
    waitUntil(
      what,
      async () => {
        if (failure !== null || exit !== null) {
          throw new Error(failure ?? exit!);
        }
        return probe();
      },
      300_000,
      20,
    );
  const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`).catch(() => null);
  const metric = (text: string, metricName: string) => Number(new RegExp(`^${metricName} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  let taken = 0;
  const ready = () => waitFor(`worker ${name} to be ready`, async () => (await get('/health/ready'))?.status === 200);
  return {
    ready,
    nextSweepLine: async () => {
      await waitFor(`a streak sweep line from worker ${name}`, async () => lines.length > taken);
      taken += 1;
      return lines[taken - 1];
    },
    sweeps: async (count) => {
      let text = '';
      await waitFor(`${count} streak sweeps in the metrics of worker ${name}`, async () => {
        const response = await get('/metrics');
        text = response?.status === 200 ? await response.text() : '';
        return metric(text, 'gamification_streak_sweep_seconds_count') >= count;
      });
      return { count: metric(text, 'gamification_streak_sweep_seconds_count'), seconds: metric(text, 'gamification_streak_sweep_seconds_sum') };
    },
    stop: async () => {
      try {
        // SIGTERM before the consumer has joined would find no shutdown hook yet, and cut the worker's transactions short.
        await ready();
      } finally {
        if (exit === null) {
          child.kill('SIGTERM');
        }
        await exited;
      }
    },
  };
}

function parseLogLine(text: string): Record<string, unknown> | null {
  try {
    const entry: unknown = JSON.parse(text);
    return typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The plan of UserProfileRepository.lockDueStreaks's statement, as the sweep runs it (not executed). */
async function explainDueQuery(pool: Pool, now: Date, batchSize: number): Promise<string[]> {
  const { rows } = await pool.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN SELECT user_id, current_streak, last_practice_date, freezes_held, timezone, streak_warned_on, streak_day_ends_through
     FROM user_profiles WHERE streak_due_at <= $1 ORDER BY streak_due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, batchSize],
  );
  return rows.map((row) => row['QUERY PLAN']);
}

/**
 * The counters as every session has flushed them: this session's own (its reads of the fill) go
 * first, forced; a worker's are flushed when its sessions end, which the caller waits for.
 */
async function scanCounters(pool: Pool): Promise<ScanCounters> {
  await pool.query('SELECT pg_stat_force_next_flush()');
  const { rows } = await pool.query<ScanCounters>(
    `SELECT t.seq_scan::int AS "seqScans", t.n_tup_upd::int AS "rowsUpdated", d.idx_scan::int AS "dueIndexScans",
            d.idx_tup_read::int AS "dueIndexEntriesRead", k.idx_scan::int AS "primaryKeyScans"
     FROM pg_stat_user_tables t
     JOIN pg_stat_user_indexes d ON d.relid = t.relid AND d.indexrelname = 'user_profiles_streak_due'
     JOIN pg_stat_user_indexes k ON k.relid = t.relid AND k.indexrelname = 'user_profiles_pkey'
     WHERE t.relname = 'user_profiles'`,
  );
  return rows[0];
}

/**
 * Puts the due users back as they were before any sweep and empties the outbox, in one statement
 * (a sweep sees all of it or none). Through the primary key: the stage counts sequential scans of
 * user_profiles while a worker runs, and this statement must not be one.
 */
async function restoreDueUsers(pool: Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL enable_seqscan = off');
    const { rows } = await client.query<{ restored: number }>(
      `WITH restored AS (
         UPDATE user_profiles p SET streak_warned_on = d.streak_warned_on, streak_day_ends_through = d.streak_day_ends_through,
           streak_due_at = d.streak_due_at
         FROM bench_sweep_due d WHERE p.user_id = d.user_id RETURNING 1
       ), cleared AS (DELETE FROM outbox_messages RETURNING 1)
       SELECT (SELECT count(*) FROM restored)::int AS restored`,
    );
    await client.query('COMMIT');
    return rows[0].restored;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

async function transactionId(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ xid: string }>(`SELECT (txid_current() % 4294967296)::text AS xid`);
  return Number(rows[0].xid);
}

function difference(after: ScanCounters, before: ScanCounters): ScanCounters {
  return {
    seqScans: after.seqScans - before.seqScans,
    rowsUpdated: after.rowsUpdated - before.rowsUpdated,
    dueIndexScans: after.dueIndexScans - before.dueIndexScans,
    dueIndexEntriesRead: after.dueIndexEntriesRead - before.dueIndexEntriesRead,
    primaryKeyScans: after.primaryKeyScans - before.primaryKeyScans,
  };
}

/** Waits until this stage's connection is the only session on its database: a stopped worker's sessions have ended. */
async function sessionsEnded(pool: Pool): Promise<void> {
  await waitUntil(
    "the worker's database sessions to end",
    async () => {
      const { rows } = await pool.query<{ others: number }>(
        `SELECT count(*)::int AS others FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      return rows[0].others === 0;
    },
    30_000,
    50,
  );
}

/**
 * What the sweep left: exactly the due users' rows rewritten (their row version is newer than the
 * transaction id taken before the worker started), none of them still due, and in the outbox the
 * expected notices, each due user's under their key.
 */
async function checkSweepEffects(pool: Pool, xidBefore: number, expected: DueNotices): Promise<string[]> {
  const problems: string[] = [];
  const { rows: updated } = await pool.query<{ due: number; others: number; still_due: number }>(
    `SELECT count(*) FILTER (WHERE d.user_id IS NOT NULL AND p.xmin::text::bigint > $1)::int AS due,
            count(*) FILTER (WHERE d.user_id IS NULL AND p.xmin::text::bigint > $1)::int AS others,
            count(*) FILTER (WHERE p.streak_due_at <= now())::int AS still_due
     FROM user_profiles p LEFT JOIN bench_sweep_due d USING (user_id)`,
    [xidBefore],
  );
  const { due, others, still_due: stillDue } = updated[0];
  if (due !== expected.due || others !== 0) {
    problems.push(`the sweep rewrote ${due} of the ${expected.due} due users and ${others} others`);
  }
  if (stillDue !== 0) {
    problems.push(`${stillDue} users are still due after the sweep`);
  }
  const { rows: outbox } = await pool.query<{ topic: string; notices: number }>(
    `SELECT topic, count(*)::int AS notices FROM outbox_messages GROUP BY topic`,
  );
  const { rows: keys } = await pool.query<{ keys: number; due_keys: number }>(
    `SELECT count(DISTINCT message_key)::int AS keys,
            count(DISTINCT message_key) FILTER (WHERE message_key IN (SELECT user_id FROM bench_sweep_due))::int AS due_keys
     FROM outbox_messages`,
  );
  const byType = (type: string) => outbox.filter((row) => row.topic.startsWith(`bench.sweep.${type}.`)).reduce((sum, row) => sum + row.notices, 0);
  for (const type of Object.keys(expected.notices) as Array<keyof DueNotices['notices']>) {
    if (byType(type) !== expected.notices[type]) {
      problems.push(`the outbox holds ${byType(type)} ${type}, not ${expected.notices[type]}`);
    }
  }
  if (keys[0].keys !== expected.due || keys[0].due_keys !== expected.due) {
    problems.push(`the outbox holds notices for ${keys[0].keys} users (${keys[0].due_keys} of them due), not for the ${expected.due} due`);
  }
  return problems;
}
