import { aSessionCompleted, aUserId } from '@app/testing';
import { EngineHarness } from '../support/engine-harness';

describe('the worker when Postgres drops its connections mid-stream', () => {
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
    const userId = aUserId('terminated');
    const events = Array.from({ length: 40 }, () => aSessionCompleted({ userId, durationSeconds: 600, score: null }));
    let terminated = 0;
    for (let start = 0; start < events.length; start += 5) {
      await engine.send(userId, ...events.slice(start, start + 5));
      await new Promise((resolve) => setTimeout(resolve, 20));
      terminated += await terminateWorkerConnections();
    }
    await engine.processed(...events.map((event) => event.eventId));
    await engine.awardsPublished(userId);

    expect(terminated).toBeGreaterThan(0);
    // 40 sessions of 60 XP: 2400 XP is level 7 (2100), with FIRST_STEPS and GETTING_SERIOUS, LEVEL_5.
    expect(await engine.profile(userId)).toMatchObject({ totalXp: 2400, sessionsCompleted: 40, level: 7 });
    expect(await engine.badgeCodes(userId)).toEqual(['FIRST_STEPS', 'GETTING_SERIOUS', 'LEVEL_5']);
    const awards = await engine.recorder.waitFor(engine.topics.badgeAwarded, userId, 3);
    expect(new Set(awards.map((award) => award.headers['event-id'])).size).toBe(3);
    const levelUps = engine.recorder.values<{ previousLevel: number; newLevel: number }>(engine.topics.levelUp, userId);
    const distinctLevelUps = new Map(levelUps.map((levelUp) => [levelUp.newLevel, levelUp.previousLevel]));
    expect([...distinctLevelUps].sort(([a], [b]) => a - b)).toEqual([
      [2, 1],
      [3, 2],
      [4, 3],
      [5, 4],
      [6, 5],
      [7, 6],
    ]);
    expect(engine.recorder.received(engine.topics.sessionCompletedDlq, userId)).toEqual([]);
  });
});
