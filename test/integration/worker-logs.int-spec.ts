import { aSessionCompleted, aUserId, eventually } from '@app/testing';
import { WorkerFleet } from '../faults/support/worker-fleet';

interface LogLine {
  readonly service?: string;
  readonly eventId?: string;
  readonly userId?: string;
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: string;
  readonly outcome?: string;
  readonly code?: string;
  readonly msg?: string;
}

/** The worker process's log, as JSON lines, the way an operator's collector reads it. */
describe("the worker's log lines about events", () => {
  let fleet: WorkerFleet;

  beforeAll(async () => {
    fleet = await WorkerFleet.create({ LOG_LEVEL: 'debug', LOG_FORMAT: 'json' });
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('carry the eventId, userId, topic, partition and offset of the event they are about', async () => {
    const worker = await fleet.startWorker();
    const userId = aUserId('logged');
    const applied = aSessionCompleted({ userId });
    const rejected = { ...aSessionCompleted({ userId }), durationSeconds: -5 };
    await fleet.stream([applied, rejected], 2, 0);

    const lines = () =>
      worker.log
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as LogLine);
    const [appliedLine, rejectedLine] = await eventually('a line about each event', async () => {
      const all = lines();
      const found = [all.find((line) => line.eventId === applied.eventId), all.find((line) => line.eventId === rejected.eventId)];
      return found.every((line) => line !== undefined) ? (found as LogLine[]) : undefined;
    });

    expect(appliedLine).toMatchObject({ service: 'worker', eventId: applied.eventId, userId, topic: fleet.topics.sessionCompleted, outcome: 'applied' });
    expect(rejectedLine).toMatchObject({ service: 'worker', eventId: rejected.eventId, userId, topic: fleet.topics.sessionCompleted, code: 'SCHEMA_VIOLATION' });
    // One key, one partition: the two events are consecutive messages of it.
    expect(rejectedLine.partition).toBe(appliedLine.partition);
    expect(Number(rejectedLine.offset)).toBe(Number(appliedLine.offset) + 1);
  });
});
