import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentProgress, startLocalKafka, type RunningKafka } from '@app/dev-stack';
import { EngineHarness } from '../support/engine-harness';
import { sessionStream } from '@app/testing';
import { assertInvariants } from './support/invariants';


describe('scenario 4: the Kafka broker stopped and restarted during a stream', () => {
  // This scenario owns its broker, a real local KRaft one, so that it can stop and restart it.
  const dataDir = mkdtempSync(join(tmpdir(), 'gamification-restart-'));
  let broker: RunningKafka;
  let engine: EngineHarness;

  beforeAll(async () => {
    broker = await startLocalKafka({ dataDir, progress: silentProgress });
    engine = await EngineHarness.start({ KAFKA_BROKERS: broker.brokers.join(',') });
  });

  afterAll(async () => {
    await engine?.stop();
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reconnects the consumer, the relay and the producer, and catches up without losing or doubling anything', async () => {
    const events = sessionStream(`restart-${engine.groupId.slice(-8)}`, 15, 400);
    for (const event of events.slice(0, 200)) {
      await engine.send(event.userId, event);
    }
    await broker.stop();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    broker = await startLocalKafka({ dataDir, progress: silentProgress, ports: broker.ports });
    for (const event of events.slice(200)) {
      await engine.send(event.userId, event);
    }

    await assertInvariants({ ...engine.invariantInputs(), produced: events });
  });
});
