import { loadRulesFile } from '@app/config';
import { eventually, sessionStream } from '@app/testing';
import { assertInvariants } from './support/invariants';
import { WorkerFleet } from './support/worker-fleet';

const rules = loadRulesFile('config/rules.yaml');

describe('scenario 1: the worker SIGKILLed mid-batch, again and again', () => {
  let fleet: WorkerFleet;

  beforeAll(async () => {
    fleet = await WorkerFleet.create({ MAX_EVENTS_PER_TRANSACTION: '50' });
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('applies every event exactly once and publishes every award, with its stable id', async () => {
    await fleet.startWorker();
    const events = sessionStream(`killed-${fleet.env.KAFKA_GROUP_ID.slice(-8)}`, 40, 2500);
    const sending = fleet.stream(events, 25, 40);
    const killedAt: number[] = [];
    for (let kill = 0; kill < 3; kill += 1) {
      // Kill while the worker is applying: once it has made progress since it (re)started.
      const before = await fleet.processedCount(events);
      await eventually('the worker to make progress', async () => ((await fleet.processedCount(events)) >= before + 60 ? true : undefined), 60_000);
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.floor(Math.random() * 40)));
      await fleet.workers[fleet.workers.length - 1].kill('SIGKILL');
      killedAt.push(await fleet.processedCount(events));
      await fleet.startWorker();
    }
    await sending;

    expect(killedAt).toHaveLength(3);
    expect(killedAt.every((count) => count < events.length)).toBe(true);
    await assertInvariants({ ...fleet.invariantInputs(), rules, produced: events });
  });
});
