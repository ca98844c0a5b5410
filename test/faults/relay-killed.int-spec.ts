import { EventPublisher, TopicAdmin } from '@app/messaging';
import { OutboxRepository } from '@app/persistence';
import { OutboxRelay, outboxMessage } from '../../apps/worker/src/outbox/outbox-relay.service';
import { EngineHarness } from '../support/engine-harness';
import { sessionStream } from '@app/testing';
import { assertInvariants } from './support/invariants';


describe('scenario 2: the relay killed after publishing, before marking the rows sent', () => {
  let engine: EngineHarness;

  beforeAll(async () => {
    engine = await EngineHarness.start();
  });

  afterAll(async () => {
    await engine?.stop();
  });

  it('publishes the awards again with the same event ids, and nothing else changes', async () => {
    const relay = engine.worker.get(OutboxRelay);
    await relay.beforeApplicationShutdown();
    const events = sessionStream(`relay-${engine.topics.badgeAwarded.slice(-8)}`, 10, 120);
    const users = [...new Set(events.map((event) => event.userId))];
    await engine.send('relay', ...events);
    await engine.processed(...events.map((event) => event.eventId));
    // The relay was stopped before the stream: every award decided for these users is still unsent,
    // one badge.awarded row per badge the users hold, and at least one level.up row per user above level 1.
    const [{ total, unsent, badgeRows, levelUpRows }] = await engine.dataSource.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE sent_at IS NULL)::int AS unsent,
              count(*) FILTER (WHERE topic = $2)::int AS "badgeRows", count(*) FILTER (WHERE topic = $3)::int AS "levelUpRows"
       FROM outbox_messages WHERE message_key = ANY($1)`,
      [users, engine.topics.badgeAwarded, engine.topics.levelUp],
    );
    const [{ badges, usersAboveLevel1 }] = await engine.dataSource.query(
      `SELECT (SELECT count(*)::int FROM user_badges WHERE user_id = ANY($1)) AS badges,
              (SELECT count(*)::int FROM user_profiles WHERE user_id = ANY($1) AND level > 1) AS "usersAboveLevel1"`,
      [users],
    );
    expect(unsent).toBe(total);
    expect(badgeRows).toBe(badges);
    expect(levelUpRows).toBeGreaterThanOrEqual(usersAboveLevel1);
    expect(usersAboveLevel1).toBe(users.length);
    expect(total).toBe(badgeRows + levelUpRows);

    // What a relay that dies between the broker's acknowledgement and its commit leaves behind:
    // the awards are on their topics, the rows still unsent.
    const publisher = engine.worker.get(EventPublisher);
    const topics = [...(await engine.worker.get(TopicAdmin).existingTopics())];
    await expect(
      engine.worker.get(OutboxRepository).relayPending(10_000, topics, async (entries) => {
        await publisher.publish(entries.filter((entry) => users.includes(entry.key)).map(outboxMessage));
        throw new Error('killed before marking the rows sent');
      }),
    ).rejects.toThrow('killed before marking the rows sent');

    relay.onApplicationBootstrap();
    await assertInvariants({
      ...engine.invariantInputs(),
      produced: events,
    });
    const awards = users.flatMap((userId) => [
      ...engine.recorder.received(engine.topics.badgeAwarded, userId),
      ...engine.recorder.received(engine.topics.levelUp, userId),
    ]);
    const copies = new Map<string, string[]>();
    for (const award of awards) {
      copies.set(award.headers['event-id'], [...(copies.get(award.headers['event-id']) ?? []), award.value!.toString()]);
    }
    expect(copies.size).toBe(unsent);
    expect([...copies.values()].every((values) => values.length === 2 && values[0] === values[1])).toBe(true);
  });
});
