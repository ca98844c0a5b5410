import type { TestingModule } from '@nestjs/testing';
import {
  ApplySessionBatchCommand,
  ApplySessionCompletedUseCase,
  FinishLeaderboardPeriodsUseCase,
  SweepStreakNoticesUseCase,
} from '@app/application';
import { loadAppConfig, type Topics } from '@app/config';
import { ASYNCAPI_CHANNEL_TOPICS } from '@app/messaging';
import { aSessionCompleted, parsedSession, TopicRecorder } from '@app/testing';
import { AsyncApiMessages, parseAsyncApi } from '../../libs/testing/src/asyncapi-document';
import { startApplication } from '../support/application-harness';
import { EngineHarness } from '../support/engine-harness';
import { ownDatabaseUrl, workerTestEnv } from '../support/test-env';

/**
 * docs/asyncapi.yaml against what the engine really writes: a real worker consumes sessions from
 * Kafka and relays every outbox row (awards, streak notices, finished boards) to real topics; each
 * message read back from the broker is held to its channel's payload, headers and key schemas.
 */
describe('the AsyncAPI document against messages of a real run', () => {
  const env = workerTestEnv();
  const url = ownDatabaseUrl('gamification_test_asyncapi');
  const defaults = loadAppConfig({ DATABASE_URL: url }, 'operator').topics;
  // The streak and board sessions run on a clock the test moves (in 2030); the Kafka ones on the real clock.
  let current = new Date('2030-10-01T00:00:00Z');
  let app: TestingModule;
  let engine: EngineHarness;
  let recorder: TopicRecorder;
  let messages: AsyncApiMessages;

  const at = (instant: string) => {
    current = new Date(instant);
  };

  beforeAll(async () => {
    const { document } = await parseAsyncApi();
    messages = AsyncApiMessages.from(document!);
    app = await startApplication(url, { now: () => current }, env);
    engine = await EngineHarness.start({ ...env, DATABASE_URL: url });
    recorder = await TopicRecorder.start(engine.brokers, Object.values(engine.topics));
  }, 180_000);

  afterAll(async () => {
    await recorder?.stop();
    await engine?.stop();
    await app?.close();
  });

  it('finds every message on every topic, consumed and produced, as the document describes it', async () => {
    // Through Kafka: a session that earns a badge and a level, a value that is not JSON, and one that breaks a rule.
    const session = aSessionCompleted({ userId: 'ada', completedAt: new Date(Date.now() - 60_000).toISOString(), durationSeconds: 1800, score: 90, skills: ['arrays'] });
    await engine.send('ada', session, '{"eventId": "cut off', { ...session, eventId: 'negative-duration', durationSeconds: -5 });

    const apply = async (session: ReturnType<typeof aSessionCompleted>) => {
      at(session.completedAt);
      await app.get(ApplySessionCompletedUseCase).executeBatch(new ApplySessionBatchCommand([parsedSession(session, current)], 'kafka'));
    };
    // A week of 2026 made final: 2026-W40 ends on Monday 5 October at 00:00 UTC, final 12 hours later.
    // (The worker's own sweep, on the real clock, may finish it first: either way it is published once.)
    await apply(aSessionCompleted({ userId: 'cy', completedAt: '2026-10-01T10:00:00Z', durationSeconds: 900, timezone: 'UTC' }));
    at('2026-10-05T12:30:00Z');
    await app.get(FinishLeaderboardPeriodsUseCase).execute();
    // Seven days of practice in 2030, far from the real clock's sweeps: a freeze earned.
    for (let day = 1; day <= 7; day += 1) {
      await apply(aSessionCompleted({ userId: 'bo', completedAt: `2030-10-0${day}T10:00:00Z`, durationSeconds: 900, timezone: 'UTC' }));
    }
    // The 8th: reminded at 20:00, frozen at its end; the 9th: lost.
    for (const instant of ['2030-10-08T20:00:00Z', '2030-10-09T00:05:00Z', '2030-10-10T00:05:00Z']) {
      at(instant);
      await app.get(SweepStreakNoticesUseCase).execute();
    }

    const topicKeys = Object.keys(defaults) as Array<keyof Topics>;
    for (const topic of topicKeys) {
      const key = topic === 'leaderboardFinished' ? 'WEEKLY_XP' : topic.startsWith('streak') ? 'bo' : 'ada';
      // Both dead letters, and every session message: the refused ones are told apart by the letters.
      await recorder.waitFor(engine.topics[topic], key, topic === 'sessionCompletedDlq' ? 2 : topic === 'sessionCompleted' ? 3 : 1);
    }
    const defaultAddress = new Map(Object.values(ASYNCAPI_CHANNEL_TOPICS).map((topic) => [engine.topics[topic], defaults[topic]]));
    // What producers got wrong is not the document's to describe: those messages are the dead letters.
    const refused = new Set(recorder.received(engine.topics.sessionCompletedDlq).map((letter) => `${letter.headers['x-original-partition']}:${letter.headers['x-original-offset']}`));
    const problems = topicKeys.flatMap((topic) =>
      recorder.received(engine.topics[topic]).filter((message) => topic !== 'sessionCompleted' || !refused.has(`${message.partition}:${message.offset}`)).map((message) => {
        const value = message.value?.toString('utf8') ?? '';
        const found = messages.problems(defaultAddress.get(message.topic)!, { key: message.key, headers: message.headers, value });
        // Beyond a schema: every produced event's header carries its own eventId.
        if (topic !== 'sessionCompleted' && topic !== 'sessionCompletedDlq' && message.headers['event-id'] !== JSON.parse(value).eventId) {
          found.push(`${message.topic}: event-id header ${message.headers['event-id']} is not the payload's eventId`);
        }
        return [defaults[topic], message.offset, found] as const;
      }),
    );
    expect(problems.filter(([, , found]) => found.length > 0)).toEqual([]);
    // Every kind was there to be checked, the dead letters with both codes.
    expect(new Set(problems.map(([address]) => address))).toEqual(new Set(Object.values(defaults)));
    expect(recorder.received(engine.topics.sessionCompletedDlq).map((letter) => letter.headers['x-error-code']).sort()).toEqual(['INVALID_JSON', 'SCHEMA_VIOLATION']);
    expect(problems.filter(([address]) => address === defaults.sessionCompleted)).toHaveLength(1);
    expect(recorder.received(engine.topics.streakFrozen, 'bo')).toHaveLength(1);
  });
});
