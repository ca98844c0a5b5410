import { Kafka, logLevel } from 'kafkajs';
import { eventually, sessionStream, type WorkerProcess } from '@app/testing';
import { assertInvariants } from '../faults/support/invariants';
import { WorkerFleet } from '../faults/support/worker-fleet';

// Long, so that a member that did not leave would hold the partitions visibly long.
const SESSION_TIMEOUT_MS = 30_000;

/** The join durations a worker logged (its "joined group" lines). */
function joinDurations(worker: WorkerProcess): number[] {
  return worker.log
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { joinMs?: number })
    .flatMap((line) => (line.joinMs === undefined ? [] : [line.joinMs]));
}

describe('the worker process on SIGTERM', () => {
  let fleet: WorkerFleet;

  beforeAll(async () => {
    fleet = await WorkerFleet.create({
      KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      KAFKA_REBALANCE_TIMEOUT_MS: '60000',
      MAX_EVENTS_PER_TRANSACTION: '50',
      LOG_LEVEL: 'log',
    });
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('commits what it applied, leaves the group and exits within 10 s under load; the next worker takes over at once', async () => {
    const first = await fleet.startWorker();
    const events = sessionStream(`sigterm-${fleet.env.KAFKA_GROUP_ID.slice(-8)}`, 40, 3000);
    const sending = fleet.stream(events, 25, 30);
    // Awaited at the end; a failed expectation before that must not leave its rejection to the next test file.
    sending.catch(() => undefined);
    await eventually('the worker to be applying', async () => ((await fleet.processedCount(events)) >= 300 ? true : undefined), 60_000);

    const signalled = Date.now();
    await first.kill('SIGTERM');
    const exitMs = Date.now() - signalled;

    // Every applied event's offset is committed, and nothing beyond: the sum of the committed offsets
    // (one message per event, all valid) equals the events in the database.
    const applied = await fleet.processedCount(events);
    const admin = new Kafka({ brokers: fleet.env.KAFKA_BROKERS.split(','), clientId: 'sigterm-test', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: fleet.env.KAFKA_GROUP_ID, topics: [fleet.topics.sessionCompleted] });
    await admin.disconnect();
    const committedTotal = committed.partitions.reduce((sum, { offset }) => sum + Math.max(0, Number(offset)), 0);

    const restarted = Date.now();
    const second = await fleet.startWorker();
    const takeOverMs = Date.now() - restarted;
    const [joinMs] = joinDurations(second);
    await eventually('the new worker to apply', async () => ((await fleet.processedCount(events)) > applied ? true : undefined), 30_000);
    process.stdout.write(
      `SIGTERM under load: exited in ${exitMs} ms with ${applied} events applied and committed; ` +
        `the next worker was ready ${takeOverMs} ms after its start, its join took ${joinMs} ms (session timeout ${SESSION_TIMEOUT_MS} ms)\n`,
    );

    expect(exitMs).toBeLessThan(10_000);
    expect(applied).toBeLessThan(events.length);
    expect(committedTotal).toBe(applied);
    expect(first.log).toContain('left group');
    // A member that had not left would hold its partitions until its 30 s session expired.
    expect(joinMs).toBeLessThan(SESSION_TIMEOUT_MS / 3);
    await sending;
    await assertInvariants({ ...fleet.invariantInputs(), produced: events });
  });
});
