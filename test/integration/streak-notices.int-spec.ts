import type { TestingModule } from '@nestjs/testing';
import type { DataSource } from 'typeorm';
import {
  ApplySessionBatchCommand,
  ApplySessionCompletedUseCase,
  GetProfileQuery,
  GetProfileUseCase,
  SweepStreakNoticesUseCase,
  SyncProgressCommand,
  SyncProgressUseCase,
} from '@app/application';
import { aSessionCompleted, eventually, parsedSession, TopicRecorder, type SessionCompletedMessage } from '@app/testing';
import { startApplication } from '../support/application-harness';
import { EngineHarness } from '../support/engine-harness';
import { ownDatabaseUrl, workerTestEnv } from '../support/test-env';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const days = (first: string, count: number) => Array.from({ length: count }, (_, index) => new Date(Date.parse(first) + index * 86_400_000).toISOString().slice(0, 10));

/**
 * The clock-driven streak notices of contract section 8, end to end: sessions applied and sweeps run
 * with a clock the test moves (in 2030, far from the real clock of the worker that relays them),
 * published by a real worker to real topics. The instants below are worked out by hand.
 */
describe('streak notices: streak.at_risk, streak.frozen and streak.lost', () => {
  const env = workerTestEnv();
  const url = ownDatabaseUrl('gamification_test_streak_notices');
  let current = new Date('2030-10-01T00:00:00Z');
  let app: TestingModule;
  let engine: EngineHarness;
  let recorder: TopicRecorder;
  let dataSource: DataSource;

  const at = (instant: string) => {
    current = new Date(instant);
  };
  const apply = async (...sessions: SessionCompletedMessage[]) => {
    const outcomes = await app.get(ApplySessionCompletedUseCase).executeBatch(new ApplySessionBatchCommand(sessions.map((session) => parsedSession(session, current)), 'kafka'));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(sessions.map(() => 'applied'));
  };
  /** One session a day at 10:00 local for each date (the clock at that session). */
  const practise = async (userId: string, zone: string | null, dates: readonly string[], offset: string) => {
    for (const date of dates) {
      const session = aSessionCompleted({ userId, completedAt: `${date}T10:00:00${offset}`, durationSeconds: 900, timezone: zone });
      if (zone === null) {
        delete session.timezone;
      }
      at(session.completedAt);
      await apply(session);
    }
  };
  /** Sweeps at `instant` and returns what it queued, per user, in order: `type date` with the payload. */
  const sweepAt = async (instant: string) => {
    at(instant);
    const before = new Set((await dataSource.query(`SELECT event_id FROM outbox_messages`)).map((row: { event_id: string }) => row.event_id));
    const result = await app.get(SweepStreakNoticesUseCase).execute();
    const rows: Array<{ event_id: string; message_key: string; payload: Record<string, unknown> }> = await dataSource.query(
      `SELECT event_id, message_key, payload FROM outbox_messages WHERE topic LIKE 'streak.%' ORDER BY id`,
    );
    return { result, queued: rows.filter((row) => !before.has(row.event_id)).map((row) => ({ key: row.message_key, ...row.payload })) };
  };
  const profile = async (userId: string) => {
    const { currentStreak, longestStreak, streakFreezes, frozenDays } = await app.get(GetProfileUseCase).execute(new GetProfileQuery(userId));
    return { currentStreak, longestStreak, streakFreezes, frozenDays };
  };

  beforeAll(async () => {
    app = await startApplication(url, { now: () => current }, env);
    engine = await EngineHarness.start({ ...env, DATABASE_URL: url });
    dataSource = engine.dataSource;
    recorder = await TopicRecorder.start(engine.brokers, [env.TOPIC_STREAK_AT_RISK, env.TOPIC_STREAK_FROZEN, env.TOPIC_STREAK_LOST]);
    // Berlin: seven days to Friday 25 October (a freeze earned); DST ends on Sunday the 27th.
    await practise('berlin', 'Europe/Berlin', days('2030-10-19', 7), '+02:00');
    // Never named a zone: UTC. Two days, no freeze.
    await practise('no-zone', null, days('2030-10-24', 2), 'Z');
    // UTC+14: one day.
    await practise('kiritimati', 'Pacific/Kiritimati', ['2030-10-25'], '+14:00');
    // Los Angeles: seven days to the 27th; the engine is down over its notices.
    await practise('los-angeles', 'America/Los_Angeles', days('2030-10-21', 7), '-07:00');
  }, 180_000);

  afterAll(async () => {
    await recorder?.stop();
    await engine?.stop();
    await app?.close();
  });

  it('announces each notice at its local instant, across DST, and sends nothing twice', async () => {
    // 20:00 on the 26th in Kiritimati.
    expect((await sweepAt('2030-10-26T06:00:00Z')).queued).toEqual([
      { key: 'kiritimati', eventId: expect.stringMatching(UUID), type: 'streak.at_risk', userId: 'kiritimati', localDate: '2030-10-26', currentStreak: 1, freezesHeld: 0, dayEndsAt: '2030-10-26T10:00:00.000Z' },
    ]);
    // The 26th ended in Kiritimati; 19:59 in Berlin.
    expect((await sweepAt('2030-10-26T17:59:00Z')).queued).toEqual([
      { key: 'kiritimati', eventId: expect.stringMatching(UUID), type: 'streak.lost', userId: 'kiritimati', lostOn: '2030-10-26', previousStreak: 1 },
    ]);
    expect((await sweepAt('2030-10-26T18:00:00Z')).queued).toEqual([
      { key: 'berlin', eventId: expect.stringMatching(UUID), type: 'streak.at_risk', userId: 'berlin', localDate: '2030-10-26', currentStreak: 7, freezesHeld: 1, dayEndsAt: '2030-10-26T22:00:00.000Z' },
    ]);
    // Swept again a minute later: nothing new.
    expect((await sweepAt('2030-10-26T18:01:00Z')).queued).toEqual([]);
    // 20:00 UTC for the user who never named a zone.
    expect((await sweepAt('2030-10-26T20:00:00Z')).queued).toEqual([
      { key: 'no-zone', eventId: expect.stringMatching(UUID), type: 'streak.at_risk', userId: 'no-zone', localDate: '2030-10-26', currentStreak: 2, freezesHeld: 0, dayEndsAt: '2030-10-27T00:00:00.000Z' },
    ]);
    // Midnight in Berlin (CEST), five minutes on (a session of the day may still be on its way): the 26th used the freeze.
    expect((await sweepAt('2030-10-26T22:00:00Z')).queued).toEqual([]);
    expect((await sweepAt('2030-10-26T22:05:00Z')).queued).toEqual([
      { key: 'berlin', eventId: expect.stringMatching(UUID), type: 'streak.frozen', userId: 'berlin', frozenDate: '2030-10-26', currentStreak: 7, freezesHeld: 0 },
    ]);
    expect((await sweepAt('2030-10-27T00:05:30Z')).queued).toEqual([
      { key: 'no-zone', eventId: expect.stringMatching(UUID), type: 'streak.lost', userId: 'no-zone', lostOn: '2030-10-26', previousStreak: 2 },
    ]);
  });

  it('shows the freeze used on the profile at any time, and gives it back for a late event of the frozen day, sending no correction', async () => {
    at('2030-10-27T12:00:00Z');
    expect(await profile('berlin')).toEqual({ currentStreak: 7, longestStreak: 7, streakFreezes: { held: 0, max: 2, earnEveryDays: 7 }, frozenDays: ['2030-10-26'] });
    // A session of the 26th (17:00 in Berlin) arrives late.
    await apply(aSessionCompleted({ userId: 'berlin', completedAt: '2030-10-26T15:00:00Z', durationSeconds: 900, timezone: 'Europe/Berlin' }));
    expect(await profile('berlin')).toEqual({ currentStreak: 8, longestStreak: 8, streakFreezes: { held: 1, max: 2, earnEveryDays: 7 }, frozenDays: [] });

    // 20:00 on the 27th is 19:00Z now that Berlin is on CET; the 27th lasts 25 hours.
    expect((await sweepAt('2030-10-27T19:00:00Z')).queued).toEqual([
      { key: 'berlin', eventId: expect.stringMatching(UUID), type: 'streak.at_risk', userId: 'berlin', localDate: '2030-10-27', currentStreak: 8, freezesHeld: 1, dayEndsAt: '2030-10-27T23:00:00.000Z' },
    ]);
    // The freeze given back keeps the streak through the 27th.
    expect((await sweepAt('2030-10-27T23:05:00Z')).queued).toEqual([
      { key: 'berlin', eventId: expect.stringMatching(UUID), type: 'streak.frozen', userId: 'berlin', frozenDate: '2030-10-27', currentStreak: 8, freezesHeld: 0 },
    ]);
  });

  it('after a stop, sends a reminder whose day is not over, skips one whose day is, and still announces the missed day ends', async () => {
    // Down since 23:00Z on the 27th; back at 22:00 on the 28th in Los Angeles: its 20:00 passed, the day goes on.
    const back = await sweepAt('2030-10-29T05:00:00Z');
    expect(back.queued.filter((notice) => notice.key === 'los-angeles')).toEqual([
      { key: 'los-angeles', eventId: expect.stringMatching(UUID), type: 'streak.at_risk', userId: 'los-angeles', localDate: '2030-10-28', currentStreak: 7, freezesHeld: 1, dayEndsAt: '2030-10-29T07:00:00.000Z' },
    ]);
    // Down again until the 30th 12:00Z: the 28th and the 29th ended, and the 29th's reminder is past its day.
    const later = await sweepAt('2030-10-30T12:00:00Z');
    expect(later.queued.filter((notice) => notice.key === 'los-angeles')).toEqual([
      { key: 'los-angeles', eventId: expect.stringMatching(UUID), type: 'streak.frozen', userId: 'los-angeles', frozenDate: '2030-10-28', currentStreak: 7, freezesHeld: 0 },
      { key: 'los-angeles', eventId: expect.stringMatching(UUID), type: 'streak.lost', userId: 'los-angeles', lostOn: '2030-10-29', previousStreak: 7 },
    ]);
    expect(await profile('los-angeles')).toMatchObject({ currentStreak: 0, streakFreezes: { held: 0, max: 2 }, frozenDays: [] });
  });

  it('derives each eventId from user, type and local date: a sweep run again over the same days queues nothing new', async () => {
    const before: Array<{ count: number }> = await dataSource.query(`SELECT count(*)::int AS count FROM outbox_messages WHERE topic LIKE 'streak.%'`);
    // As if the sweep of the 26th's Berlin reminder had died after queuing, before its cursor was stored.
    await dataSource.query(`UPDATE user_profiles SET streak_warned_on = '2030-10-25', streak_day_ends_through = '2030-10-25', streak_due_at = '2030-10-26T18:00:00Z' WHERE user_id = 'no-zone'`);
    const rerun = await sweepAt('2030-10-26T20:30:00Z');
    expect(rerun.result.users).toBe(1);
    expect(rerun.queued).toEqual([]);
    expect(await dataSource.query(`SELECT count(*)::int AS count FROM outbox_messages WHERE topic LIKE 'streak.%'`)).toEqual(before);
  });

  it('publishes each notice on its topic, keyed by userId, with the event-id header equal to its eventId', async () => {
    const rows: Array<{ event_id: string; topic: string; message_key: string; payload: Record<string, unknown> }> = await dataSource.query(
      `SELECT event_id, topic, message_key, payload FROM outbox_messages WHERE topic LIKE 'streak.%' ORDER BY id`,
    );
    expect(rows.length).toBe(12);
    expect(new Set(rows.map((row) => row.event_id)).size).toBe(rows.length);
    const topicOf = { 'streak.at_risk': env.TOPIC_STREAK_AT_RISK, 'streak.frozen': env.TOPIC_STREAK_FROZEN, 'streak.lost': env.TOPIC_STREAK_LOST };
    for (const row of rows) {
      expect(row.topic).toBe(topicOf[row.payload.type as keyof typeof topicOf]);
      expect(row.payload.eventId).toBe(row.event_id);
    }
    await eventually('every streak notice to be published', async () => {
      const published = rows.filter((row) => recorder.received(row.topic, row.message_key).some((message) => message.headers['event-id'] === row.event_id));
      return published.length === rows.length ? true : undefined;
    });
    for (const row of rows) {
      const [message] = recorder.received(row.topic, row.message_key).filter((candidate) => candidate.headers['event-id'] === row.event_id);
      expect({ key: message.key, value: JSON.parse(message.value!.toString()) }).toEqual({ key: row.message_key, value: row.payload });
    }
  });

  it('announces a day end owed when a sync restates the streak before the sweep came by, and the sweep sends it no second time', async () => {
    // Seven days to 7 November in UTC: a freeze held. The 8th ends unpractised.
    await practise('synced', 'UTC', days('2030-11-01', 7), 'Z');
    // Half an hour after the 8th ended (past the grace), the worker has not swept yet, and the user's app asks for a sync.
    at('2030-11-09T00:30:00Z');
    const before = new Set((await dataSource.query(`SELECT event_id FROM outbox_messages`)).map((row: { event_id: string }) => row.event_id));
    await app.get(SyncProgressUseCase).execute(new SyncProgressCommand('synced'));
    const rows: Array<{ event_id: string; payload: Record<string, unknown> }> = await dataSource.query(`SELECT event_id, payload FROM outbox_messages WHERE message_key = 'synced' ORDER BY id`);
    expect(rows.filter((row) => !before.has(row.event_id)).map((row) => row.payload)).toEqual([
      { eventId: expect.stringMatching(UUID), type: 'streak.frozen', userId: 'synced', frozenDate: '2030-11-08', currentStreak: 7, freezesHeld: 0 },
    ]);
    expect((await sweepAt('2030-11-09T00:31:00Z')).queued.filter((notice) => notice.key === 'synced')).toEqual([]);
    expect(await profile('synced')).toMatchObject({ currentStreak: 7, streakFreezes: { held: 0 }, frozenDays: ['2030-11-08'] });
  });
});
