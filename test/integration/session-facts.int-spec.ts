import { ApplySessionBatchCommand, ApplySessionCompletedUseCase } from '@app/application';
import { loadRulesFile } from '@app/config';
import { recomputeProgress } from '@app/domain';
import { ProcessedEventsRepository, UnitOfWork } from '@app/persistence';
import { aSessionCompleted, aUserId, parsedSession } from '@app/testing';
import { EngineHarness } from '../support/engine-harness';

const rules = loadRulesFile('config/rules.yaml');


describe('session facts', () => {
  let engine: EngineHarness;

  beforeAll(async () => {
    engine = await EngineHarness.start();
  });

  afterAll(async () => {
    await engine?.stop();
  });

  const sessionsOf = (userId: string) =>
    engine.worker.get(UnitOfWork).run(async (transaction) => (await engine.worker.get(ProcessedEventsRepository).sessionsOf(transaction, [userId])).get(userId));

  it('keeps every processed session, counted or not, with the zone and local date its decision used and the rules version', async () => {
    const userId = aUserId('facts');
    const counted = parsedSession(
      aSessionCompleted({ userId, completedAt: '2026-11-20T23:30:00Z', durationSeconds: 1800, score: 91, timezone: 'Asia/Tokyo', skills: ['graphs', 'arrays', 'graphs'] }),
    );
    // No zone: the zone last seen (Tokyo) decides its local date, and the fact keeps both.
    const tooShort = parsedSession(aSessionCompleted({ userId, completedAt: '2026-11-21T16:00:00Z', durationSeconds: 30, score: null, timezone: null }));
    await engine.worker.get(ApplySessionCompletedUseCase).executeBatch(new ApplySessionBatchCommand([counted, tooShort], 'kafka'));

    const rows = await engine.dataSource.query(
      `SELECT event_id, outcome, xp_awarded, practice_date, completed_at, zone, local_date, duration_seconds, score, skills, rules_version
       FROM processed_events WHERE user_id = $1 ORDER BY completed_at`,
      [userId],
    );
    expect(rows).toEqual([
      {
        event_id: counted.eventId,
        outcome: 'counted',
        xp_awarded: 50 + 45 + 30,
        practice_date: '2026-11-21',
        completed_at: new Date('2026-11-20T23:30:00Z'),
        zone: 'Asia/Tokyo',
        local_date: '2026-11-21',
        duration_seconds: 1800,
        score: 91,
        skills: ['graphs', 'arrays'],
        rules_version: rules.version,
      },
      {
        event_id: tooShort.eventId,
        outcome: 'not-counted',
        xp_awarded: 0,
        practice_date: null,
        completed_at: new Date('2026-11-21T16:00:00Z'),
        zone: 'Asia/Tokyo',
        local_date: '2026-11-22',
        duration_seconds: 30,
        score: null,
        skills: [],
        rules_version: rules.version,
      },
    ]);
  });

  it('keeps the recorded XP and practice day of sessions processed before facts were kept, whatever the new rules say', async () => {
    const userId = aUserId('legacy');
    // Rows as the engine wrote them before facts were kept: the outcome only.
    await engine.dataSource.query(
      `INSERT INTO processed_events (event_id, user_id, session_id, source, processed_at, outcome, xp_awarded, practice_date)
       VALUES ($1, $3, 's-1', 'kafka', '2026-10-01T10:00:00Z', 'counted', 125, '2026-10-01'),
              ($2, $3, 's-2', 'kafka', '2026-10-01T11:00:00Z', 'not-counted', 0, NULL)`,
      [`${userId}-old-1`, `${userId}-old-2`, userId],
    );
    const fresh = parsedSession(aSessionCompleted({ userId, completedAt: '2026-10-02T10:00:00Z', durationSeconds: 600, score: null, timezone: 'UTC' }));
    await engine.worker.get(ApplySessionCompletedUseCase).executeBatch(new ApplySessionBatchCommand([fresh], 'kafka'));
    const harsher = { ...rules, version: rules.version + 1, xp: { ...rules.xp, base: 10 } };

    const recomputed = recomputeProgress((await sessionsOf(userId)) ?? [], [], { badges: new Set(['FIRST_STEPS']), highestLevel: 1 }, harsher);

    expect(recomputed).toMatchObject({
      // 125 kept as recorded, 0 kept, and the new session under the new base: 10 + 1 * 10.
      totalXp: 125 + 0 + 20,
      sessionsCompleted: 2,
      practiceDays: ['2026-10-01', '2026-10-02'],
      streak: { currentStreak: 2, longestStreak: 2, lastPracticeDate: '2026-10-02' },
    });
    expect(recomputed.xpByEvent).toEqual(new Map([[`${userId}-old-1`, 125], [`${userId}-old-2`, 0], [fresh.eventId, 20]]));
  });
});
