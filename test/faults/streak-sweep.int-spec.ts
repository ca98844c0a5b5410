import { Client } from 'pg';
import { ApplySessionBatchCommand, ApplySessionCompletedUseCase } from '@app/application';
import { STREAK_SWEEP_LOCK } from '@app/persistence';
import { aSessionCompleted, eventually, parsedSession, TopicRecorder, type WorkerProcess } from '@app/testing';
import { startApplication } from '../support/application-harness';
import { ownDatabaseUrl, workerTestEnv } from '../support/test-env';
import { seededRandom } from './support/seeded-random';
import { WorkerFleet } from './support/worker-fleet';

const USERS = 3000;
const DAY_MS = 86_400_000;
const dateOf = (instant: number) => new Date(instant).toISOString().slice(0, 10);

/**
 * Users who practised seven days (a freeze earned), the last one four days ago in UTC, recorded by
 * the engine as it went. By the contract's rules each now has two notices due, whatever the time of
 * day: the day after the last practised frozen (streak 7, no freeze left), the next one lost. Both
 * days ended more than a day ago, so the grace after a day's end never holds one back.
 */
async function seedUsers(url: string, env: Record<string, string>, prefix: string) {
  const today = Date.parse(`${dateOf(Date.now())}T00:00:00Z`);
  const last = today - 4 * DAY_MS;
  let current = new Date(last - 6 * DAY_MS);
  const app = await startApplication(url, { now: () => current }, env);
  const userIds = Array.from({ length: USERS }, (_, index) => `${prefix}-${String(index).padStart(5, '0')}`);
  try {
    for (let day = last - 6 * DAY_MS; day <= last; day += DAY_MS) {
      current = new Date(day + 10 * 3_600_000 + 60_000);
      for (let start = 0; start < USERS; start += 500) {
        const sessions = userIds
          .slice(start, start + 500)
          .map((userId) => parsedSession(aSessionCompleted({ userId, completedAt: new Date(day + 10 * 3_600_000).toISOString(), durationSeconds: 900, timezone: 'UTC' }), current));
        await app.get(ApplySessionCompletedUseCase).executeBatch(new ApplySessionBatchCommand(sessions, 'kafka'));
      }
    }
  } finally {
    await app.close();
  }
  const expected = userIds.flatMap((userId) => [
    { type: 'streak.frozen', userId, frozenDate: dateOf(last + DAY_MS), currentStreak: 7, freezesHeld: 0 },
    { type: 'streak.lost', userId, lostOn: dateOf(last + 2 * DAY_MS), previousStreak: 7 },
  ]);
  return { userIds, expected };
}

async function metricSum(worker: WorkerProcess, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

function sweepEnv() {
  return { ...workerTestEnv(), STREAK_SWEEP_INTERVAL_MS: '250', STREAK_SWEEP_BATCH_SIZE: '10' };
}

/**
 * Holds the sweep (the advisory lock every sweep must take) until `release` is called, so that the
 * workers are up and the whole sweep happens while the test watches.
 */
async function holdTheSweep(url: string): Promise<{ release: () => Promise<void> }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query('SELECT pg_advisory_lock($1)', [STREAK_SWEEP_LOCK]);
  return {
    release: async () => {
      await client.query('SELECT pg_advisory_unlock($1)', [STREAK_SWEEP_LOCK]);
      await client.end();
    },
  };
}

/**
 * The sweep under faults: a worker SIGKILLed in the middle of one, and two workers sweeping at once.
 * Either way every notice is queued once (one outbox row, one eventId) and published, none is lost.
 */
describe('the streak sweep under faults', () => {
  // Topics and a group of each test's own: the recorder reads its topics from the beginning.
  let env = sweepEnv();
  let fleet: WorkerFleet;
  let recorder: TopicRecorder | null = null;

  beforeEach(() => {
    env = sweepEnv();
  });

  afterEach(async () => {
    await recorder?.stop();
    recorder = null;
    await fleet?.stop();
  });

  /** Waits until every user was swept and every notice published; checks each was queued and published once. */
  async function expectEachNoticeOnce(userIds: readonly string[], expected: ReadonlyArray<Record<string, unknown>>) {
    await eventually(
      'every user to be swept and every notice published',
      async () => {
        const [{ pending, unsent }] = await fleet.dataSource.query(
          `SELECT (SELECT count(*)::int FROM user_profiles WHERE user_id = ANY($1) AND streak_due_at IS NOT NULL) AS pending,
                  (SELECT count(*)::int FROM outbox_messages WHERE message_key = ANY($1) AND sent_at IS NULL) AS unsent`,
          [userIds],
        );
        return pending === 0 && unsent === 0 ? true : undefined;
      },
      120_000,
    );
    const rows: Array<{ event_id: string; topic: string; payload: Record<string, unknown> }> = await fleet.dataSource.query(
      `SELECT event_id, topic, payload FROM outbox_messages WHERE message_key = ANY($1) AND topic LIKE 'streak.%'`,
      [userIds],
    );
    const withoutIds = (payload: Record<string, unknown>) => Object.fromEntries(Object.entries(payload).filter(([field]) => field !== 'eventId'));
    const key = (notice: Record<string, unknown>) => JSON.stringify(notice);
    expect(rows.map((row) => key(withoutIds(row.payload))).sort()).toEqual(expected.map(key).sort());
    expect(new Set(rows.map((row) => row.event_id)).size).toBe(expected.length);

    const published = await eventually('every notice on its topic', async () => {
      const messages = [env.TOPIC_STREAK_FROZEN, env.TOPIC_STREAK_LOST].flatMap((topic) => recorder!.received(topic));
      return new Set(messages.map((message) => message.headers['event-id'])).size >= rows.length ? messages : undefined;
    });
    const byId = new Map(rows.map((row) => [row.event_id, row]));
    // At least once: a relay killed between publishing and marking publishes again, with the same eventId and value.
    for (const message of published) {
      const row = byId.get(message.headers['event-id']);
      expect(row).toBeDefined();
      expect({ topic: message.topic, value: JSON.parse(message.value!.toString()) }).toEqual({ topic: row!.topic, value: row!.payload });
    }
    expect(new Set(published.map((message) => message.headers['event-id']))).toEqual(new Set(byId.keys()));
  }

  it('a worker SIGKILLed during a sweep: the next one finishes it, no notice lost, none queued twice', async () => {
    const url = ownDatabaseUrl('gamification_test_streak_sweep_killed');
    const random = seededRandom('streak-sweep-killed');
    const { userIds, expected } = await seedUsers(url, env, 'killed');
    fleet = await WorkerFleet.create({ ...env, DATABASE_URL: url });
    const swept = async () => {
      const [{ count }] = await fleet.dataSource.query(`SELECT count(*)::int AS count FROM user_profiles WHERE user_id = ANY($1) AND streak_due_at IS NULL`, [userIds]);
      return count as number;
    };

    const sweep = await holdTheSweep(url);
    const first = await fleet.startWorker();
    recorder = await TopicRecorder.start(env.KAFKA_BROKERS.split(','), [env.TOPIC_STREAK_FROZEN, env.TOPIC_STREAK_LOST, env.TOPIC_STREAK_AT_RISK]);
    expect(await swept()).toBe(0);
    await sweep.release();
    await eventually('the sweep to be under way', async () => ((await swept()) >= 100 ? true : undefined), 60_000);
    await new Promise((resolve) => setTimeout(resolve, random.int(0, 200)));
    await first.kill('SIGKILL');
    const atKill = await swept();
    process.stdout.write(`streak-sweep-killed: killed with ${atKill}/${USERS} users swept\n`);
    expect(atKill).toBeLessThan(USERS);

    await fleet.startWorker();
    await expectEachNoticeOnce(userIds, expected);
  });

  it('two workers sweeping at once: each notice queued by one of them, once', async () => {
    const url = ownDatabaseUrl('gamification_test_streak_sweepers');
    const { userIds, expected } = await seedUsers(url, env, 'racing');
    fleet = await WorkerFleet.create({ ...env, DATABASE_URL: url, STREAK_SWEEP_INTERVAL_MS: '100' });

    const sweep = await holdTheSweep(url);
    const workers = await Promise.all([fleet.startWorker(), fleet.startWorker()]);
    recorder = await TopicRecorder.start(env.KAFKA_BROKERS.split(','), [env.TOPIC_STREAK_FROZEN, env.TOPIC_STREAK_LOST, env.TOPIC_STREAK_AT_RISK]);
    // Both are up and trying every 100 ms: from here they race for every batch.
    await sweep.release();
    await expectEachNoticeOnce(userIds, expected);

    // What each worker says it queued: together, each notice once.
    const queued = await Promise.all(workers.map((worker) => metricSum(worker, 'gamification_streak_notices_total')));
    process.stdout.write(`streak-sweepers: the two workers queued ${queued.join(' and ')} notices\n`);
    expect(queued[0] + queued[1]).toBe(expected.length);
  });
});
