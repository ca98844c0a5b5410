import { sessionStream } from '@app/testing';
import { assertInvariants } from './support/invariants';
import { seededRandom } from './support/seeded-random';
import { WorkerFleet } from './support/worker-fleet';


describe('scenario 1: the worker SIGKILLed mid-batch, again and again', () => {
  let fleet: WorkerFleet;

  beforeAll(async () => {
    fleet = await WorkerFleet.create({ MAX_EVENTS_PER_TRANSACTION: '50' });
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('applies every event exactly once and publishes every award, with its stable id', async () => {
    const random = seededRandom('worker-killed');
    await fleet.startWorker();
    const events = sessionStream(`killed-${fleet.env.KAFKA_GROUP_ID.slice(-8)}`, 40, 2500);
    const sending = fleet.stream(events, 25, 40);
    // Kill while the worker is applying: once it has made progress since it (re)started.
    const killedAt = await fleet.killMidRun(events, 3, random);
    await sending;

    expect(killedAt).toHaveLength(3);
    expect(killedAt.every((count) => count < events.length)).toBe(true);
    await assertInvariants({ ...fleet.invariantInputs(), produced: events });
  });
});
