import { randomUUID } from 'node:crypto';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { eventually } from '@app/testing';
import { createTopicsWithLeaders } from '@app/messaging';
import { ApiProcess, tokenFor } from '../support/api-harness';
import { EventStreamClient } from '../support/event-stream-client';
import { requiredEnv } from '../support/test-env';

const HEARTBEAT_MS = 300;

/** Published events of the contract's shapes (sections 3 and 8), each with an eventId of its own. */
function badgeAwarded(userId: string, badgeCode: string) {
  return { eventId: randomUUID(), type: 'badge.awarded', userId, badgeCode, badgeName: badgeCode, awardedAt: new Date().toISOString(), sourceEventId: randomUUID() };
}
function levelUp(userId: string, newLevel: number) {
  return { eventId: randomUUID(), type: 'level.up', userId, previousLevel: newLevel - 1, newLevel, totalXp: newLevel * 100, occurredAt: new Date().toISOString(), sourceEventId: randomUUID() };
}
function streakAtRisk(userId: string) {
  return { eventId: randomUUID(), type: 'streak.at_risk', userId, localDate: '2026-11-27', currentStreak: 4, freezesHeld: 1, dayEndsAt: '2026-11-28T00:00:00.000Z' };
}

describe('GET /gamification/stream: live events from the topics, on every api instance (contract section 11)', () => {
  const suffix = randomUUID().slice(0, 8);
  const topics = {
    TOPIC_BADGE_AWARDED: `badge.awarded.${suffix}`,
    TOPIC_LEVEL_UP: `level.up.${suffix}`,
    TOPIC_STREAK_AT_RISK: `streak.at_risk.${suffix}`,
    TOPIC_STREAK_FROZEN: `streak.frozen.${suffix}`,
    TOPIC_STREAK_LOST: `streak.lost.${suffix}`,
  };
  const kafka = new Kafka({ clientId: `live-stream-test-${suffix}`, brokers: requiredEnv('TEST_KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
  let producer: Producer;
  const apis: ApiProcess[] = [];
  const clients: EventStreamClient[] = [];

  const startApi = async () => {
    const api = await ApiProcess.start({ ...topics, KAFKA_CLIENT_ID: `test-api-${suffix}`, STREAM_HEARTBEAT_MS: String(HEARTBEAT_MS), STREAM_MAX_PER_USER: '3' });
    await eventually('the api to tail the topics', async () => {
      const ready = (await (await api.fetch('/health/ready')).json()) as { stream?: string };
      return ready.stream === 'up' ? true : undefined;
    });
    return api;
  };
  const publish = async (event: { type: string; userId: string }) => {
    const topic = { 'badge.awarded': topics.TOPIC_BADGE_AWARDED, 'level.up': topics.TOPIC_LEVEL_UP, 'streak.at_risk': topics.TOPIC_STREAK_AT_RISK }[event.type]!;
    await producer.send({ topic, messages: [{ key: event.userId, value: JSON.stringify(event) }] });
  };
  const stream = async (api: ApiProcess, userId: string) => {
    const client = await EventStreamClient.accepted(api.base, tokenFor(userId));
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsWithLeaders(admin, Object.values(topics).map((topic) => ({ topic, numPartitions: 3 })));
    await admin.disconnect();
    producer = kafka.producer();
    await producer.connect();
    apis.push(await startApi(), await startApi());
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  afterAll(async () => {
    await Promise.all(apis.map((api) => api.stop()));
    await producer?.disconnect();
  });

  it("gives each user's streams exactly that user's events, each once, on whichever instance they are connected to", async () => {
    const [ada, bob] = [`ada-${suffix}`, `bob-${suffix}`];
    const adaOnFirst = await stream(apis[0], ada);
    const adaOnSecond = await stream(apis[1], ada);
    const bobOnSecond = await stream(apis[1], bob);
    expect(adaOnFirst.contentType).toMatch(/^text\/event-stream/);

    const forAda = [badgeAwarded(ada, 'FIRST_STEPS'), levelUp(ada, 2), streakAtRisk(ada)];
    const forBob = [levelUp(bob, 2), badgeAwarded(bob, 'HIGH_SCORER')];
    for (const event of [forAda[0], forBob[0], forAda[1], forBob[1], forAda[2]]) {
      await publish(event);
    }

    // Each topic's events arrive in their order; across topics, as the topics deliver them.
    const byId = <T extends { id?: string }>(events: readonly T[]) => [...events].sort((a, b) => (a.id ?? '').localeCompare(b.id ?? ''));
    const asSent = (events: ReadonlyArray<{ eventId: string; type: string }>) => byId(events.map((event) => ({ event: event.type, id: event.eventId, data: event })));
    for (const client of [adaOnFirst, adaOnSecond]) {
      expect(byId(await client.waitForEvents(forAda.length))).toEqual(asSent(forAda));
    }
    expect(byId(await bobOnSecond.waitForEvents(forBob.length))).toEqual(asSent(forBob));
    // Nothing more turns up for either of them: only their own events, each once.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(adaOnFirst.events).toHaveLength(forAda.length);
    expect(adaOnSecond.events).toHaveLength(forAda.length);
    expect(bobOnSecond.events).toHaveLength(forBob.length);
  });

  it('keeps an idle stream open with comment lines', async () => {
    const idle = await stream(apis[0], `idle-${suffix}`);
    const before = idle.comments;
    await eventually('two keep-alive comments', async () => (idle.comments >= before + 2 ? true : undefined), 10 * HEARTBEAT_MS + 5_000);
    expect(idle.events).toEqual([]);
    expect(idle.isEnded).toBe(false);
  });

  it('refuses a missing or bad token with 401 before any stream opens', async () => {
    for (const token of [null, 'not-a-jwt', tokenFor(`eve-${suffix}`, {}, { expiresIn: '-1m' })]) {
      const refused = await EventStreamClient.open(apis[0].base, token);
      expect(refused).not.toBeInstanceOf(EventStreamClient);
      const response = refused as Response;
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('www-authenticate')).toBe(token === null ? 'Bearer' : 'Bearer error="invalid_token"');
      expect(await response.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
    }
  });

  it('refuses more than STREAM_MAX_PER_USER streams of one user with 429 TOO_MANY_STREAMS, and takes one again once a stream closed', async () => {
    const busy = `busy-${suffix}`;
    const open = [await stream(apis[0], busy), await stream(apis[0], busy), await stream(apis[0], busy)];
    const refused = await EventStreamClient.open(apis[0].base, tokenFor(busy));
    expect(refused).not.toBeInstanceOf(EventStreamClient);
    expect((refused as Response).status).toBe(429);
    expect(await (refused as Response).json()).toMatchObject({ statusCode: 429, code: 'TOO_MANY_STREAMS' });
    // Another user is not held back by this one's streams.
    await stream(apis[0], `other-${suffix}`);

    await open[0].close();
    const again = await eventually('a stream to be taken again after one closed', async () => {
      const opened = await EventStreamClient.open(apis[0].base, tokenFor(busy));
      return opened instanceof EventStreamClient ? opened : undefined;
    });
    clients.push(again);
    const event = levelUp(busy, 3);
    await publish(event);
    expect((await again.waitForEvents(1))[0].id).toBe(event.eventId);
  });

  it('drops a client that stopped reading, and keeps serving the others', async () => {
    const slow = `slow-${suffix}`;
    const reader = await stream(apis[1], slow);
    // A client that reads the headers and then nothing more: its socket's buffers fill, then the api's.
    // (It does not see the api drop it: a socket that is not read from does not see the other end close.)
    const stalled = await new Promise<ClientRequest>((resolve, reject) => {
      const request = httpRequest(`${apis[1].base}/gamification/stream`, { headers: { Authorization: `Bearer ${tokenFor(slow)}` } }, (response) => {
        response.pause();
        resolve(request);
      });
      request.once('error', reject);
      request.end();
    });
    const droppedAsSlow = async () => /^gamification_streams_closed_total\{reason="slow"\} 1$/m.test(await (await apis[1].fetch('/metrics')).text());
    // Events of about 1 kB, 50 at a time, 20 times a second, until the api gives up on the stalled
    // client; the reading client keeps up throughout.
    const padding = 'x'.repeat(800);
    const events: Array<ReturnType<typeof badgeAwarded>> = [];
    try {
      for (let round = 0; !(await droppedAsSlow()); round += 1) {
        expect(round).toBeLessThan(600);
        const batch = Array.from({ length: 50 }, (_, index) => ({ ...badgeAwarded(slow, `BADGE_${round}_${index}`), padding }));
        events.push(...batch);
        await producer.send({ topic: topics.TOPIC_BADGE_AWARDED, messages: batch.map((event) => ({ key: slow, value: JSON.stringify(event) })) });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      stalled.destroy();
    }
    // The reading client of the same user got every event, the stalled one cost it nothing.
    expect((await reader.waitForEvents(events.length, 60_000)).map((event) => event.id)).toEqual(events.map((event) => event.eventId));
    expect(reader.isEnded).toBe(false);
  });

  it('ends a stream when its token expires', async () => {
    const brief = await EventStreamClient.accepted(apis[0].base, tokenFor(`brief-${suffix}`, {}, { expiresIn: '2s' }));
    clients.push(brief);
    await eventually('the stream to end at its token\'s expiry', async () => (brief.isEnded ? true : undefined), 10_000);
    const metrics = await (await apis[0].fetch('/metrics')).text();
    expect(metrics).toMatch(/^gamification_streams_closed_total\{reason="expired"\} 1$/m);
    // Counted as a request, but a stream's life is not a latency: it stays out of the duration histogram.
    expect(metrics).toMatch(/^http_requests_total\{method="GET",route="\/gamification\/stream",status="200"\} \d+$/m);
    expect(metrics).not.toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/gamification\/stream",status="200"\}/m);
  });

  it('refuses streams with 503 STREAM_NOT_READY while the instance cannot read the topics, and serves its other routes', async () => {
    const unfed = await ApiProcess.start({ ...topics, KAFKA_BROKERS: '127.0.0.1:9', KAFKA_CLIENT_ID: `test-api-unfed-${suffix}` });
    try {
      const refused = await EventStreamClient.open(unfed.base, tokenFor(`dan-${suffix}`));
      expect(refused).not.toBeInstanceOf(EventStreamClient);
      expect((refused as Response).status).toBe(503);
      expect((refused as Response).headers.get('retry-after')).toBe('2');
      expect(await (refused as Response).json()).toMatchObject({ statusCode: 503, code: 'STREAM_NOT_READY' });
      const ready = await unfed.fetch('/health/ready');
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', database: 'up', redis: 'up', stream: 'down' });
      const profile = await unfed.fetch('/gamification/profile', { headers: { Authorization: `Bearer ${tokenFor(`dan-${suffix}`)}` } });
      expect(profile.status).toBe(200);
    } finally {
      await unfed.stop();
    }
  });

  it('does not replay, to a stream opened on a restarted instance, what was published before it started', async () => {
    const carl = `carl-${suffix}`;
    const before = badgeAwarded(carl, 'FIRST_STEPS');
    const watcher = await stream(apis[1], carl);
    await publish(before);
    await watcher.waitForEvents(1);

    // A stream open on the instance that stops is ended by it, and the instance stops.
    const cut = await stream(apis[0], carl);
    await apis[0].stop();
    expect(cut.isEnded).toBe(true);
    apis[0] = await startApi();
    const fresh = await stream(apis[0], carl);
    const after = levelUp(carl, 2);
    await publish(after);
    expect((await fresh.waitForEvents(1)).map((event) => event.id)).toEqual([after.eventId]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(fresh.events.map((event) => event.id)).toEqual([after.eventId]);
  });
});
