import { eventually, sessionStream } from '@app/testing';
import { assertInvariants } from '../faults/support/invariants';
import { WorkerFleet } from '../faults/support/worker-fleet';


/**
 * A SIGKILLed worker cannot leave its group: its partitions stay with it until its session expires,
 * and a restarted worker's join waits for that. These measure the time from the kill to the first
 * event applied by the restarted worker, with the old default session timeout and with the new one.
 */
describe.each([
  { sessionTimeoutMs: 30_000, label: 'the old default' },
  { sessionTimeoutMs: 10_000, label: 'the default' },
])('the worker SIGKILLed with a session timeout of $sessionTimeoutMs ms ($label)', ({ sessionTimeoutMs }) => {
  let fleet: WorkerFleet;

  beforeAll(async () => {
    fleet = await WorkerFleet.create({
      KAFKA_SESSION_TIMEOUT_MS: String(sessionTimeoutMs),
      KAFKA_REBALANCE_TIMEOUT_MS: '60000',
      MAX_EVENTS_PER_TRANSACTION: '50',
    });
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('resumes applying once the dead member’s session has expired, losing nothing and counting nothing twice', async () => {
    const prefix = `resume-${fleet.env.KAFKA_GROUP_ID.slice(-8)}`;
    const before = sessionStream(`${prefix}-a`, 30, 1500);
    const after = sessionStream(`${prefix}-b`, 30, 300);
    const all = [...before, ...after];
    await fleet.startWorker();
    const sending = fleet.stream(before, 25, 30);
    await eventually('the worker to be applying', async () => ((await fleet.processedCount(before)) >= 200 ? true : undefined), 60_000);

    await fleet.workers[0].kill('SIGKILL');
    const killed = Date.now();
    const appliedAtKill = await fleet.processedCount(all);
    // Events keep arriving while nobody consumes, so that the restarted worker has work at once.
    const restarting = fleet.startWorker();
    await Promise.all([sending, fleet.stream(after, 50, 0)]);
    await eventually(
      'the restarted worker to apply an event',
      async () => ((await fleet.processedCount(all)) > appliedAtKill ? true : undefined),
      sessionTimeoutMs + 60_000,
    );
    const resumeMs = Date.now() - killed;
    process.stdout.write(`SIGKILL to the first event applied by the restarted worker: ${resumeMs} ms (session timeout ${sessionTimeoutMs} ms)\n`);
    await restarting;

    // Bounded by the session timeout; generous, so that a slow machine does not fail it.
    expect(resumeMs).toBeLessThan(sessionTimeoutMs + 20_000);
    await assertInvariants({ ...fleet.invariantInputs(), produced: all });
  });
});
