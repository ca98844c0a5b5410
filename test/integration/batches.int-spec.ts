import { ApplySessionBatchCommand, ApplySessionCompletedUseCase } from '@app/application';
import type { CompletedSession } from '@app/domain';
import { ProcessedEventsRepository, UnitOfWork } from '@app/persistence';
import { aSessionCompleted, aUserId, parsedSession } from '@app/testing';
import { EngineHarness } from '../support/engine-harness';

const onDay = (userId: string, day: string, hour = 12) =>
  aSessionCompleted({ userId, completedAt: `${day}T${String(hour).padStart(2, '0')}:00:00Z`, durationSeconds: 600, score: null, timezone: 'UTC' });

describe('batches of events applied in one transaction', () => {
  let engine: EngineHarness;

  beforeAll(async () => {
    engine = await EngineHarness.start();
  });

  afterAll(async () => {
    await engine?.stop();
  });

  it('applies a batch holding a poison message, a duplicate eventId and several events of one user', async () => {
    const alice = aUserId('alice');
    const bob = aUserId('bob');
    const poisoned = aUserId('poisoned');
    // A database-level fault for one user only: every write of that user's profile fails.
    await engine.dataSource.query(
      `ALTER TABLE user_profiles ADD CONSTRAINT test_refuses_${poisoned.replace(/-/g, '_')} CHECK (user_id <> '${poisoned}')`,
    );
    try {
      const first = onDay(alice, '2026-09-01');
      // A retry of `first` with a rebuilt payload: applied instead of the first copy, it would add
      // 130 XP, HIGH_SCORER and PERFECTIONIST, and move the practice day off the streak.
      const firstRetried = { ...first, completedAt: '2026-08-28T12:00:00Z', durationSeconds: 3600, score: 100 };
      const messages = [
        first,
        onDay(alice, '2026-09-02'),
        'not json at all',
        firstRetried,
        onDay(bob, '2026-09-02'),
        onDay(poisoned, '2026-09-02'),
        { ...onDay(alice, '2026-09-03'), durationSeconds: 'long' },
        onDay(alice, '2026-09-03', 9),
        onDay(alice, '2026-09-03', 18),
      ];
      // One send with one key: one partition, one record batch, so one fetch of the worker.
      await engine.send(alice, ...messages);
      const valid = [0, 1, 4, 7, 8].map((index) => (messages[index] as { eventId: string }).eventId);
      await engine.processed(...valid);
      const dead = await engine.recorder.waitFor(engine.topics.sessionCompletedDlq, alice, 3);

      expect(dead.map((message) => message.headers['x-error-code']).sort()).toEqual(['INVALID_JSON', 'PROCESSING_FAILED', 'SCHEMA_VIOLATION']);
      expect(dead.find((message) => message.headers['x-error-code'] === 'PROCESSING_FAILED')?.value?.toString()).toBe(
        JSON.stringify(messages[5]),
      );
      expect(await engine.profile(alice)).toMatchObject({
        totalXp: 4 * 60,
        sessionsCompleted: 4,
        currentStreak: 3,
        longestStreak: 3,
        level: 2,
      });
      expect(await engine.badgeCodes(alice)).toEqual(['FIRST_STEPS', 'ON_FIRE']);
      expect(await engine.practiceDates(alice)).toEqual(['2026-09-01', '2026-09-02', '2026-09-03']);
      expect(await engine.profile(bob)).toMatchObject({ totalXp: 60, sessionsCompleted: 1 });
      expect(await engine.profile(poisoned)).toBeNull();
      expect(await engine.awardsPublished(alice)).toBe(3);
      const levelUps = await engine.recorder.waitFor(engine.topics.levelUp, alice, 1);
      expect(levelUps).toHaveLength(1);
    } finally {
      await engine.dataSource.query(`ALTER TABLE user_profiles DROP CONSTRAINT test_refuses_${poisoned.replace(/-/g, '_')}`);
    }
  });

  it('refuses, in the ledger, a batch that repeats an eventId, recording none of it', async () => {
    const userId = aUserId('repeated');
    const entry = {
      eventId: `${userId}-e1`,
      userId,
      sessionId: 's1',
      source: 'kafka' as const,
      outcome: 'counted' as const,
      xpAwarded: 60,
      practiceDate: '2026-09-01',
      completedAt: new Date('2026-09-01T10:00:00Z'),
      zone: 'UTC',
      localDate: '2026-09-01',
      durationSeconds: 900,
      score: null,
      skills: [],
      rulesVersion: 1,
    };
    const ledger = engine.worker.get(ProcessedEventsRepository);

    await expect(
      engine.worker.get(UnitOfWork).run((transaction) => ledger.record(transaction, [entry, { ...entry, eventId: `${userId}-e2` }, entry], new Date())),
    ).rejects.toThrow('record takes each eventId once; 1 repeated (de-duplicate with firstOccurrences first)');
    expect(await engine.dataSource.query(`SELECT event_id FROM processed_events WHERE user_id = $1`, [userId])).toEqual([]);
  });

  it('decides a run again without an event that another transaction recorded while the run was being decided', async () => {
    const userId = aUserId('contested');
    const fresh = parsedSession(onDay(userId, '2026-09-12'));
    const contested = parsedSession(onDay(userId, '2026-09-13'));
    // Another transaction (the api, say) records the contested event and holds its row uncommitted.
    const other = engine.dataSource.createQueryRunner();
    await other.connect();
    try {
      await other.startTransaction();
      await other.query(
        `INSERT INTO processed_events (event_id, user_id, session_id, source, outcome, xp_awarded) VALUES ($1, $2, 's-other', 'api', 'counted', 0)`,
        [contested.eventId, `${userId}-elsewhere`],
      );
      const [{ pid }] = await other.query(`SELECT pg_backend_pid() AS pid`);
      const stages: string[] = [];
      const applying = engine.worker
        .get(ApplySessionCompletedUseCase)
        .executeBatch(new ApplySessionBatchCommand([fresh, contested], 'kafka'), (stage) => stages.push(stage));
      // The run has decided both events and waits on the contested ledger row: let the other commit.
      const deadline = Date.now() + 10_000;
      const blocked = `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`;
      while ((await engine.dataSource.query(blocked, [pid]))[0].waiting === 0) {
        if (Date.now() > deadline) {
          throw new Error('the run never waited on the contested ledger row');
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await other.commitTransaction();
      const outcomes = await applying;

      expect(outcomes.map((outcome) => outcome.status)).toEqual(['applied', 'duplicate']);
      expect(stages.filter((stage) => stage === 'retried')).toHaveLength(1);
    } finally {
      if (other.isTransactionActive) {
        await other.rollbackTransaction();
      }
      await other.release();
    }
    expect(await engine.profile(userId)).toMatchObject({ totalXp: 60, sessionsCompleted: 1 });
    expect(await engine.practiceDates(userId)).toEqual(['2026-09-12']);
    expect(await engine.badgeCodes(userId)).toEqual(['FIRST_STEPS']);
    const ledger = await engine.dataSource.query(`SELECT event_id, user_id, xp_awarded FROM processed_events WHERE event_id = ANY($1) ORDER BY user_id`, [
      [fresh.eventId, contested.eventId],
    ]);
    expect(ledger).toEqual([
      { event_id: fresh.eventId, user_id: userId, xp_awarded: 60 },
      { event_id: contested.eventId, user_id: `${userId}-elsewhere`, xp_awarded: 0 },
    ]);
  });

  it('reports each event of a batch as applied or duplicate, in order, and applies each once', async () => {
    const userId = aUserId('batch');
    const other = aUserId('batch-other');
    const a = parsedSession(onDay(userId, '2026-09-10'));
    const b = parsedSession(onDay(userId, '2026-09-11'));
    const c = parsedSession(onDay(other, '2026-09-11'));
    const useCase = engine.worker.get(ApplySessionCompletedUseCase);

    // A producer's retry with a rebuilt payload: same eventId, other fields. The first copy is the event.
    const aRetried: CompletedSession = { ...a, durationSeconds: 3600, score: 100 };

    const outcomes = await useCase.executeBatch(new ApplySessionBatchCommand([a, b, aRetried, c], 'kafka'));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['applied', 'applied', 'duplicate', 'applied']);
    const again = await useCase.executeBatch(new ApplySessionBatchCommand([b, c], 'kafka'));
    expect(again.map((outcome) => outcome.status)).toEqual(['duplicate', 'duplicate']);

    expect(await engine.profile(userId)).toMatchObject({ totalXp: 120, sessionsCompleted: 2, currentStreak: 2, level: 2 });
    expect(await engine.badgeCodes(userId)).toEqual(['FIRST_STEPS']);
    expect(await engine.profile(other)).toMatchObject({ totalXp: 60, sessionsCompleted: 1 });
  });

  it('gives the same totals whether the events come in one batch or one at a time', async () => {
    const together = aUserId('together');
    const apart = aUserId('apart');
    const days = ['2026-08-01', '2026-08-02', '2026-08-04', '2026-08-03', '2026-08-03', '2026-08-05'];
    const scores = [95, null, 80, 100, 50, 70];
    const build = (userId: string) =>
      days.map((day, index) => parsedSession({ ...onDay(userId, day, 8 + index), durationSeconds: 900 + index * 300, score: scores[index] }));
    const useCase = engine.worker.get(ApplySessionCompletedUseCase);

    await useCase.executeBatch(new ApplySessionBatchCommand(build(together), 'kafka'));
    for (const session of build(apart)) {
      await useCase.executeBatch(new ApplySessionBatchCommand([session], 'kafka'));
    }

    // Besides the row's own times, when the user reached their XP and how many writes changed it
    // are engine time and bookkeeping: one run writes once, six runs six times.
    const strip = (profile: Awaited<ReturnType<EngineHarness['profile']>>) => {
      const { userId: _userId, createdAt: _createdAt, updatedAt: _updatedAt, xpReachedAt: _xpReachedAt, xpRevision: _xpRevision, ...rest } = profile!;
      return rest;
    };
    // By hand from the contract, session by session: 105 + 70 + 110 + 130 + 105 + 115 XP = 635, level 4
    // (600 <= 635 < 1000); practice days 1 to 5 August, a run of 5; best score 100.
    const expected = {
      totalXp: 635,
      level: 4,
      sessionsCompleted: 6,
      currentStreak: 5,
      longestStreak: 5,
      lastPracticeDate: '2026-08-05',
    };
    expect(await engine.profile(together)).toMatchObject(expected);
    expect(strip(await engine.profile(together))).toEqual(strip(await engine.profile(apart)));
    expect(await engine.badgeCodes(together)).toEqual(['FIRST_STEPS', 'HIGH_SCORER', 'ON_FIRE', 'PERFECTIONIST']);
    expect(await engine.badgeCodes(apart)).toEqual(['FIRST_STEPS', 'HIGH_SCORER', 'ON_FIRE', 'PERFECTIONIST']);
    const practiceDays = ['2026-08-01', '2026-08-02', '2026-08-03', '2026-08-04', '2026-08-05'];
    expect(await engine.practiceDates(together)).toEqual(practiceDays);
    expect(await engine.practiceDates(apart)).toEqual(practiceDays);
  });
});
