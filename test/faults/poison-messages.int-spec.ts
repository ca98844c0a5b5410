import { aSessionCompleted, sessionStream } from '@app/testing';
import { EngineHarness } from '../support/engine-harness';
import { assertInvariants } from './support/invariants';


describe('scenario 7: poison messages of every kind mixed into a valid stream', () => {
  let engine: EngineHarness;

  beforeAll(async () => {
    engine = await EngineHarness.start();
  });

  afterAll(async () => {
    await engine?.stop();
  });

  it('sends each to the DLQ with the right code, applies every valid event, and stalls no partition', async () => {
    const prefix = `poison-${engine.groupId.slice(-8)}`;
    const valid = sessionStream(prefix, 12, 240);
    const template = aSessionCompleted({ userId: `${prefix}-0` });
    const poison: Array<[string, Buffer, string]> = [
      ['not JSON', Buffer.from('{"eventId": "x", '), 'INVALID_JSON'],
      ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xc3, 0x28, 0x7d]), 'INVALID_JSON'],
      ['a 1 MB value', Buffer.alloc(1_000_000, 'x'), 'INVALID_JSON'],
      ['a JSON array', Buffer.from('[1,2,3]'), 'SCHEMA_VIOLATION'],
      ['wrong types', Buffer.from(JSON.stringify({ ...template, durationSeconds: '1800', score: true })), 'SCHEMA_VIOLATION'],
      ['missing fields', Buffer.from(JSON.stringify({ eventId: 'only-an-id' })), 'SCHEMA_VIOLATION'],
      ['an unknown time zone', Buffer.from(JSON.stringify({ ...template, timezone: 'Atlantis/Capital' })), 'SCHEMA_VIOLATION'],
      ['a far-future timestamp', Buffer.from(JSON.stringify({ ...template, completedAt: '2999-01-01T00:00:00Z' })), 'SCHEMA_VIOLATION'],
    ];
    const key = `${prefix}-poisoned`;
    for (let index = 0; index < valid.length; index += 1) {
      await engine.send(index % 2 === 0 ? key : valid[index].userId, valid[index]);
      if (index % 30 === 0 && poison.length > index / 30) {
        await engine.send(key, poison[index / 30][1]);
      }
    }

    await assertInvariants({
      ...engine.invariantInputs(),
      produced: valid,
      rejected: poison.map(([, value]) => value.toString('latin1')),
    });
    const dead = engine.recorder.received(engine.topics.sessionCompletedDlq, key);
    for (const [label, value, code] of poison) {
      const letter = dead.find((message) => message.value !== null && Buffer.compare(message.value, value) === 0);
      expect({ label, code: letter?.headers['x-error-code'] }).toEqual({ label, code });
      expect(letter?.headers['x-original-topic']).toBe(engine.topics.sessionCompleted);
    }
  });
});
