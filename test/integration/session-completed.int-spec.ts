import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { ApplySessionCompletedCommand, ApplySessionCompletedUseCase } from '@app/application';
import { validateSessionCompleted } from '@app/messaging';
import { aSessionCompleted, aUserId, aZoneAtMidday, eventually } from '@app/testing';
import { WorkerHttpServer } from '../../apps/worker/src/observability/worker-http.server';
import { EngineHarness } from '../support/engine-harness';

const BADGE_AWARDED_KEYS = ['awardedAt', 'badgeCode', 'badgeName', 'eventId', 'sourceEventId', 'type', 'userId'];
const LEVEL_UP_KEYS = ['eventId', 'newLevel', 'occurredAt', 'previousLevel', 'sourceEventId', 'totalXp', 'type', 'userId'];

/** A session on a given UTC calendar day, long enough to count, earning 60 XP. */
const onDay = (userId: string, day: string) =>
  aSessionCompleted({ userId, completedAt: `${day}T12:00:00Z`, durationSeconds: 600, score: null, timezone: 'UTC' });

describe('the worker on a real broker and database', () => {
  let engine: EngineHarness;

  beforeAll(async () => {
    engine = await EngineHarness.start();
  });

  afterAll(async () => {
    await engine?.stop();
  });

  it('awards XP and FIRST_STEPS on the first counted session and publishes one badge.awarded', async () => {
    const userId = aUserId();
    const event = aSessionCompleted({ userId, durationSeconds: 600, score: null });
    await engine.send(userId, event);
    await engine.processed(event.eventId);

    expect(await engine.profile(userId)).toMatchObject({ totalXp: 60, level: 1, sessionsCompleted: 1, currentStreak: 1 });
    expect(await engine.badgeCodes(userId)).toEqual(['FIRST_STEPS']);
    expect(await engine.awardsPublished(userId)).toBe(1);
    const [message] = await engine.recorder.waitFor(engine.topics.badgeAwarded, userId, 1);
    const award = JSON.parse(message.value!.toString());
    expect(Object.keys(award).sort()).toEqual(BADGE_AWARDED_KEYS);
    expect(award).toMatchObject({
      type: 'badge.awarded',
      userId,
      badgeCode: 'FIRST_STEPS',
      badgeName: 'First Steps',
      sourceEventId: event.eventId,
    });
    expect(new Date(award.awardedAt).toISOString()).toBe(award.awardedAt);
    expect(message.headers['event-id']).toBe(award.eventId);
    expect(engine.recorder.received(engine.topics.levelUp, userId)).toEqual([]);
  });

  it('publishes one level.up when the total passes 100 XP', async () => {
    const userId = aUserId();
    const first = onDay(userId, '2026-11-01');
    const second = onDay(userId, '2026-11-02');
    await engine.send(userId, first, second);
    await engine.processed(first.eventId, second.eventId);

    expect(await engine.profile(userId)).toMatchObject({ totalXp: 120, level: 2 });
    expect(await engine.awardsPublished(userId)).toBe(2);
    const [message] = await engine.recorder.waitFor(engine.topics.levelUp, userId, 1);
    const levelUp = JSON.parse(message.value!.toString());
    expect(Object.keys(levelUp).sort()).toEqual(LEVEL_UP_KEYS);
    expect(levelUp).toMatchObject({
      type: 'level.up',
      userId,
      previousLevel: 1,
      newLevel: 2,
      totalXp: 120,
      sourceEventId: second.eventId,
    });
    expect(message.headers['event-id']).toBe(levelUp.eventId);
  });

  it('keeps streaks from the set of practice days: consecutive, same day, gap, and a late day', async () => {
    const userId = aUserId();
    const streakAfter = async (day: string) => {
      const event = onDay(userId, day);
      await engine.send(userId, event);
      await engine.processed(event.eventId);
      const profile = await engine.profile(userId);
      return [profile?.currentStreak, profile?.longestStreak];
    };

    expect(await streakAfter('2026-10-01')).toEqual([1, 1]);
    expect(await streakAfter('2026-10-02')).toEqual([2, 2]);
    expect(await engine.badgeCodes(userId)).not.toContain('ON_FIRE');
    expect(await streakAfter('2026-10-03')).toEqual([3, 3]);
    expect(await engine.badgeCodes(userId)).toContain('ON_FIRE');
    expect(await streakAfter('2026-10-03')).toEqual([3, 3]);
    expect(await streakAfter('2026-10-06')).toEqual([1, 3]);
    expect(await streakAfter('2026-10-05')).toEqual([2, 3]);
    expect(await streakAfter('2026-10-04')).toEqual([6, 6]);
    expect(await engine.practiceDates(userId)).toEqual([
      '2026-10-01',
      '2026-10-02',
      '2026-10-03',
      '2026-10-04',
      '2026-10-05',
      '2026-10-06',
    ]);
    expect((await engine.profile(userId))?.lastPracticeDate).toBe('2026-10-06');

    await engine.awardsPublished(userId);
    const onFire = engine.recorder
      .values<{ badgeCode: string }>(engine.topics.badgeAwarded, userId)
      .filter((award) => award.badgeCode === 'ON_FIRE');
    expect(onFire).toHaveLength(1);
  });

  it('counts an eventId delivered twice only once and publishes no second award', async () => {
    const userId = aUserId();
    const event = aSessionCompleted({ userId, durationSeconds: 600, score: null });
    const sameIdOtherFields = { ...event, durationSeconds: 3600, score: 100 };
    const next = aSessionCompleted({ userId, durationSeconds: 600, score: null });
    // The retry differs from the original, so the totals show which copy was applied: the first.
    await engine.send(userId, event, sameIdOtherFields, next, sameIdOtherFields);
    await engine.processed(event.eventId, next.eventId);

    expect(await engine.profile(userId)).toMatchObject({ totalXp: 120, sessionsCompleted: 2 });
    const [ledger] = await engine.dataSource.query(`SELECT xp_awarded FROM processed_events WHERE event_id = $1`, [event.eventId]);
    expect(ledger.xp_awarded).toBe(60);
    expect(await engine.badgeCodes(userId)).toEqual(['FIRST_STEPS']);
    expect(await engine.awardsPublished(userId)).toBe(2);
    await engine.recorder.waitFor(engine.topics.levelUp, userId, 1);
    expect(engine.recorder.received(engine.topics.badgeAwarded, userId)).toHaveLength(1);
  });

  it('counts an eventId delivered concurrently on several partitions only once', async () => {
    const userId = aUserId();
    const event = aSessionCompleted({ userId, durationSeconds: 600, score: null });
    // Different message keys spread the copies over the partitions, which the worker consumes in parallel.
    await Promise.all(Array.from({ length: 6 }, (_, copy) => engine.send(`${userId}-copy-${copy}`, event)));
    await engine.processed(event.eventId);
    await engine.awardsPublished(userId);

    expect(await engine.profile(userId)).toMatchObject({ totalXp: 60, sessionsCompleted: 1 });
    await engine.recorder.waitFor(engine.topics.badgeAwarded, userId, 1);
    expect(engine.recorder.received(engine.topics.badgeAwarded, userId)).toHaveLength(1);
  });

  it('applies an event once when the same eventId arrives through the use case 20 times at once', async () => {
    const userId = aUserId();
    const parsed = validateSessionCompleted(aSessionCompleted({ userId, durationSeconds: 1800, score: 95 }), new Date());
    if (!parsed.ok) {
      throw new Error(parsed.message);
    }
    const useCase = engine.worker.get(ApplySessionCompletedUseCase);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => useCase.execute(new ApplySessionCompletedCommand(parsed.session, 'api'))),
    );

    expect(outcomes.filter((outcome) => outcome.status === 'applied')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.status === 'duplicate')).toHaveLength(19);
    expect(await engine.profile(userId)).toMatchObject({ totalXp: 50 + 45 + 30, sessionsCompleted: 1 });
    expect(await engine.badgeCodes(userId)).toEqual(['FIRST_STEPS', 'HIGH_SCORER']);
  });

  it('applies an event once when copies of it naming different users race through the use case', async () => {
    // Different users take different locks, so nothing but the ledger orders these transactions.
    const users = Array.from({ length: 8 }, () => aUserId());
    const original = aSessionCompleted({ userId: users[0], durationSeconds: 600, score: null });
    const copies = users.map((userId) => {
      const parsed = validateSessionCompleted({ ...original, userId }, new Date());
      if (!parsed.ok) {
        throw new Error(parsed.message);
      }
      return parsed.session;
    });
    const useCase = engine.worker.get(ApplySessionCompletedUseCase);
    const outcomes = await Promise.all(copies.map((session) => useCase.execute(new ApplySessionCompletedCommand(session, 'api'))));

    const winner = outcomes.findIndex((outcome) => outcome.status === 'applied');
    expect(outcomes.filter((outcome) => outcome.status === 'applied')).toHaveLength(1);
    expect(await engine.profile(users[winner])).toMatchObject({ totalXp: 60, sessionsCompleted: 1 });
    const [ledger] = await engine.dataSource.query(`SELECT user_id, outcome FROM processed_events WHERE event_id = $1`, [original.eventId]);
    expect(ledger).toEqual({ user_id: users[winner], outcome: 'counted' });
    for (const loser of users.filter((_, index) => index !== winner)) {
      expect(await engine.profile(loser)).toBeNull();
    }
  });

  it('does not lose updates when different events of one user are applied at the same time', async () => {
    const userId = aUserId();
    const useCase = engine.worker.get(ApplySessionCompletedUseCase);
    const sessions = Array.from({ length: 12 }, () => {
      const parsed = validateSessionCompleted(aSessionCompleted({ userId, durationSeconds: 600, score: null }), new Date());
      if (!parsed.ok) {
        throw new Error(parsed.message);
      }
      return parsed.session;
    });
    await Promise.all(sessions.map((session) => useCase.execute(new ApplySessionCompletedCommand(session, 'api'))));

    expect(await engine.profile(userId)).toMatchObject({ totalXp: 12 * 60, sessionsCompleted: 12, level: 4 });
    expect(await engine.badgeCodes(userId)).toEqual(['FIRST_STEPS', 'GETTING_SERIOUS']);
  });

  it('sends an invalid message and a non-JSON message to the DLQ and applies the next valid one', async () => {
    const userId = aUserId();
    const invalid = JSON.stringify({ ...aSessionCompleted({ userId }), durationSeconds: -5 });
    const notJson = 'this is not json';
    const valid = aSessionCompleted({ userId, durationSeconds: 600, score: null });
    await engine.send(userId, invalid, notJson, valid);
    await engine.processed(valid.eventId);

    const dead = await engine.recorder.waitFor(engine.topics.sessionCompletedDlq, userId, 2);
    // The partition the producer put the originals on: kafkajs's default partitioner over the topic's partitions.
    const admin = new Kafka({ brokers: engine.brokers, clientId: 'dlq-partition', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const {
      topics: [{ partitions }],
    } = await admin.fetchTopicMetadata({ topics: [engine.topics.sessionCompleted] }).finally(() => admin.disconnect());
    const originalPartition = Partitioners.DefaultPartitioner()({
      topic: engine.topics.sessionCompleted,
      partitionMetadata: partitions,
      message: { key: userId, value: null },
    });
    expect(dead.map((message) => message.value?.toString())).toEqual([invalid, notJson]);
    expect(dead.map((message) => message.headers['x-error-code'])).toEqual(['SCHEMA_VIOLATION', 'INVALID_JSON']);
    expect(dead[0].headers['x-error-message']).toContain('durationSeconds');
    for (const message of dead) {
      expect(message.headers['x-original-topic']).toBe(engine.topics.sessionCompleted);
      expect(message.headers['x-original-partition']).toBe(String(originalPartition));
      expect(message.headers['x-original-offset']).toMatch(/^\d+$/);
    }
    expect(Number(dead[1].headers['x-original-offset'])).toBe(Number(dead[0].headers['x-original-offset']) + 1);
    expect(await engine.profile(userId)).toMatchObject({ totalXp: 60, sessionsCompleted: 1 });
  });

  it('records a session under 60 seconds as processed without counting it', async () => {
    const userId = aUserId();
    const short = aSessionCompleted({ userId, durationSeconds: 59, score: 100 });
    await engine.send(userId, short);
    const [processed] = await engine.processed(short.eventId);

    expect(processed).toMatchObject({ outcome: 'not-counted', xpAwarded: 0 });
    expect(await engine.profile(userId)).toMatchObject({ totalXp: 0, level: 1, sessionsCompleted: 0, currentStreak: 0 });
    expect(await engine.badgeCodes(userId)).toEqual([]);
    expect(await engine.practiceDates(userId)).toEqual([]);
    expect(await engine.challenges(userId)).toEqual([]);
  });

  it('keeps publishing when an outbox row names a topic that does not exist', async () => {
    await engine.dataSource.query(
      `INSERT INTO outbox_messages (event_id, topic, message_key, payload) VALUES ($1, 'no.such.topic', 'nobody', '{}')`,
      [randomUUID()],
    );
    const userId = aUserId();
    const event = aSessionCompleted({ userId, durationSeconds: 600, score: null });
    await engine.send(userId, event);
    await engine.processed(event.eventId);

    expect(await engine.awardsPublished(userId)).toBe(1);
    await engine.recorder.waitFor(engine.topics.badgeAwarded, userId, 1);
  });

  it('keeps today’s three challenges with progress from the day’s counted sessions', async () => {
    const userId = aUserId();
    // A fixed-offset zone where it is midday now, so both sessions fall on the same local day.
    const timezone = aZoneAtMidday();
    const offsetHours = timezone === 'Etc/GMT' ? 0 : -Number(timezone.slice('Etc/GMT'.length));
    const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    const first = aSessionCompleted({ userId, completedAt: minutesAgo(2), durationSeconds: 1200, score: 70, timezone });
    const second = aSessionCompleted({ userId, completedAt: minutesAgo(1), durationSeconds: 300, score: 85, timezone });
    await engine.send(userId, first);
    await engine.processed(first.eventId);
    const afterFirst = await engine.challenges(userId);
    await engine.send(userId, second);
    await engine.processed(second.eventId);
    const afterSecond = await engine.challenges(userId);

    const summary = (challenges: typeof afterFirst) =>
      challenges.map((c) => [c.type, c.progress, c.target, c.completedAt !== null]);
    expect(summary(afterFirst)).toEqual([
      ['COMPLETE_SESSIONS', 1, 2, false],
      ['PRACTICE_MINUTES', 1200, 1800, false],
      ['SCORE_AT_LEAST', 0, 1, false],
    ]);
    expect(summary(afterSecond)).toEqual([
      ['COMPLETE_SESSIONS', 2, 2, true],
      ['PRACTICE_MINUTES', 1500, 1800, false],
      ['SCORE_AT_LEAST', 1, 1, true],
    ]);
    const localNow = new Date(Date.parse(first.completedAt) + offsetHours * 3_600_000);
    const day = localNow.toISOString().slice(0, 10);
    const localMidnightAfter = Date.UTC(localNow.getUTCFullYear(), localNow.getUTCMonth(), localNow.getUTCDate() + 1);
    expect(afterSecond.every((c) => c.challengeDate === day && c.claimedAt === null)).toBe(true);
    expect(afterSecond[0].expiresAt.getTime()).toBe(localMidnightAfter - offsetHours * 3_600_000);
    expect((await engine.profile(userId))?.totalXp).toBe(50 + 35 + 20 + 50 + 40 + 0);
  });
});

describe('the worker’s health and metrics listener', () => {
  let engine: EngineHarness;
  let base: string;

  beforeAll(async () => {
    engine = await EngineHarness.start();
    base = `http://127.0.0.1:${engine.worker.get(WorkerHttpServer).port()}`;
  });

  afterAll(async () => {
    await engine?.stop();
  });

  it('answers liveness, and readiness once the database and the consumer are up', async () => {
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'up', kafka: 'up' });
  });

  it('counts handled events by outcome, dead letters by code and skill codes the tree does not know, and reports the outbox lag', async () => {
    const userId = aUserId('metrics');
    // arrays is in the shipped tree; the other two are not.
    const event = aSessionCompleted({ userId, durationSeconds: 600, score: null, skills: ['arrays', 'kubernetes', 'juggling'] });
    await engine.send(userId, event, { ...event, durationSeconds: 3600, score: 100 }, 'not json');
    await engine.recorder.waitFor(engine.topics.sessionCompletedDlq, userId, 1);
    await engine.processed(event.eventId);
    expect(await engine.awardsPublished(userId)).toBe(1);
    // An award the relay can never send (its topic does not exist), created at a known instant long
    // before anything else in the table: the outbox gauges then have one exact value each.
    const stuckSince = Date.parse('2001-01-01T00:00:00Z');
    const [{ id: stuck }] = await engine.dataSource.query(
      `INSERT INTO outbox_messages (event_id, topic, message_key, payload, created_at) VALUES ($1, 'no.such.topic', 'nobody', '{}', $2) RETURNING id`,
      [randomUUID(), new Date(stuckSince)],
    );
    try {
      const unsentRows = async (): Promise<number> =>
        (await engine.dataSource.query(`SELECT count(*)::int AS unsent FROM outbox_messages WHERE sent_at IS NULL`))[0].unsent;
      // The table is shared with other test files' engines; read it on both sides of the scrape and
      // retry until nothing changed in between.
      const scrape = await eventually('an outbox count that holds still across one scrape', async () => {
        const unsentBefore = await unsentRows();
        const scrapedFrom = Date.now();
        const text = await (await fetch(`${base}/metrics`)).text();
        const scrapedTo = Date.now();
        return unsentBefore === (await unsentRows()) ? { text, unsentBefore, scrapedFrom, scrapedTo } : undefined;
      });
      const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(scrape.text)?.[1]);
      // This engine's own registry saw exactly these three messages.
      expect(value('gamification_events_total{outcome="applied"}')).toBe(1);
      expect(value('gamification_events_total{outcome="duplicate"}')).toBe(1);
      expect(value('gamification_events_total{outcome="rejected"}')).toBe(1);
      expect(value('gamification_dead_letters_total{code="INVALID_JSON"}')).toBe(1);
      expect(value('gamification_unknown_skills_total')).toBe(2);
      const age = value('gamification_outbox_oldest_unsent_age_seconds');
      expect(age).toBeGreaterThanOrEqual((scrape.scrapedFrom - stuckSince) / 1000 - 1);
      expect(age).toBeLessThanOrEqual((scrape.scrapedTo - stuckSince) / 1000 + 1);
    } finally {
      await engine.dataSource.query(`DELETE FROM outbox_messages WHERE id = $1`, [stuck]);
    }
  });

  // The unsent gauge once lagged one scrape behind (it was set inside another gauge's collect()).
  it('reports the outbox’s unsent rows as of the scrape itself', async () => {
    // Two rows the relay can never send, so the count differs from the one the previous test scraped.
    const stuck: Array<{ id: string }> = await engine.dataSource.query(
      `INSERT INTO outbox_messages (event_id, topic, message_key, payload)
       VALUES ($1, 'no.such.topic', 'nobody', '{}'), ($2, 'no.such.topic', 'nobody', '{}') RETURNING id`,
      [randomUUID(), randomUUID()],
    );
    try {
      const unsentRows = async (): Promise<number> =>
        (await engine.dataSource.query(`SELECT count(*)::int AS unsent FROM outbox_messages WHERE sent_at IS NULL`))[0].unsent;
      const scrape = await eventually('an outbox count that holds still across one scrape', async () => {
        const unsentBefore = await unsentRows();
        const text = await (await fetch(`${base}/metrics`)).text();
        return unsentBefore === (await unsentRows()) ? { text, unsentBefore } : undefined;
      });
      expect(Number(/^gamification_outbox_unsent (\S+)$/m.exec(scrape.text)?.[1])).toBe(scrape.unsentBefore);
    } finally {
      await engine.dataSource.query(`DELETE FROM outbox_messages WHERE id = ANY($1::bigint[])`, [stuck.map((row) => row.id)]);
    }
  });
});
