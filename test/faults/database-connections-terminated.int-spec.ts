import { EngineHarness } from '../support/engine-harness';
import { sessionStream } from '@app/testing';
import { assertInvariants } from './support/invariants';


describe('scenario 3: Postgres dropping the worker’s connections mid-stream', () => {
  let engine: EngineHarness;

  beforeAll(async () => {
    engine = await EngineHarness.start();
  });

  afterAll(async () => {
    await engine?.stop();
  });

  async function terminateWorkerConnections(): Promise<number> {
    const rows: unknown[] = await engine.dataSource.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE application_name = 'gamification-engine' AND datname = current_database() AND pid <> pg_backend_pid()`,
    );
    return rows.length;
  }

  it('retries and applies every event exactly once, sending none to the DLQ', async () => {
    const events = sessionStream(`terminated-${engine.groupId.slice(-8)}`, 20, 600);
    let terminated = 0;
    for (let start = 0; start < events.length; start += 30) {
      for (const event of events.slice(start, start + 30)) {
        await engine.send(event.userId, event);
      }
      terminated += await terminateWorkerConnections();
    }

    expect(terminated).toBeGreaterThan(0);
    await assertInvariants({
      ...engine.invariantInputs(),
      produced: events,
    });
    expect(engine.recorder.received(engine.topics.sessionCompletedDlq)).toEqual([]);
  });
});
