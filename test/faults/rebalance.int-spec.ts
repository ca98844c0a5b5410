import { eventually, sessionStream } from '@app/testing';
import { assertInvariants } from './support/invariants';
import { WorkerFleet } from './support/worker-fleet';


describe('scenario 5: three workers in one group, one killed and one added during a stream', () => {
  let fleet: WorkerFleet;

  beforeAll(async () => {
    fleet = await WorkerFleet.create({ KAFKA_TOPIC_PARTITIONS: '6', MAX_EVENTS_PER_TRANSACTION: '50' });
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('keeps every invariant and applies each user’s events in the order they were produced', async () => {
    for (let index = 0; index < 3; index += 1) {
      await fleet.startWorker();
    }
    const events = sessionStream(`rebalance-${fleet.env.KAFKA_GROUP_ID.slice(-8)}`, 60, 3000);
    const sending = fleet.stream(events, 30, 30);
    await eventually('the group to make progress', async () => ((await fleet.processedCount(events)) >= 300 ? true : undefined), 60_000);
    await fleet.workers[1].kill('SIGKILL');
    const atKill = await fleet.processedCount(events);
    await fleet.startWorker();
    await sending;

    expect(atKill).toBeLessThan(events.length);
    await assertInvariants({ ...fleet.invariantInputs(), produced: events });
    const applied: Array<{ event_id: string; processed_at: Date }> = await fleet.dataSource.query(
      `SELECT event_id, processed_at FROM processed_events WHERE event_id = ANY($1)`,
      [events.map((event) => event.eventId)],
    );
    const appliedAt = new Map(applied.map((row) => [row.event_id, row.processed_at.getTime()]));
    const lastOfUser = new Map<string, number>();
    const outOfOrder = events.filter((event) => {
      const previous = lastOfUser.get(event.userId);
      const at = appliedAt.get(event.eventId)!;
      lastOfUser.set(event.userId, at);
      return previous !== undefined && previous > at;
    });
    expect(outOfOrder).toEqual([]);
  });
});
