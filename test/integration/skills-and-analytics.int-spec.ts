import type { TestingModule } from '@nestjs/testing';
import {
  ApplyRulesCommand,
  ApplyRulesUseCase,
  ApplySessionBatchCommand,
  ApplySessionCompletedUseCase,
  GetPracticeAnalyticsQuery,
  GetPracticeAnalyticsUseCase,
  GetSkillsQuery,
  GetSkillsUseCase,
} from '@app/application';
import { loadRulesFile } from '@app/config';
import { aSessionCompleted, parsedSession } from '@app/testing';
import { startApplication } from '../support/application-harness';
import { ownDatabaseUrl } from '../support/test-env';

/**
 * The two routes of contract section 10 on the shipped rules (version 6: the interview-practice tree and its badges),
 * over sessions applied by the engine with a clock the test moves. Expected figures are worked out
 * by hand from the contract: a counted session's XP is 50 + 5 × floor(score / 10) + 10 × min(floor(duration / 600), 3).
 */
describe('skills and practice analytics (contract section 10)', () => {
  const url = ownDatabaseUrl('gamification_test_skills_analytics');
  let current = new Date('2029-10-01T10:00:00Z');
  let app: TestingModule;

  const apply = async (completedAt: string, durationSeconds: number, score: number | null, skills: string[], userId = 'ada') => {
    current = new Date(Date.parse(completedAt) + 60_000);
    const session = aSessionCompleted({ userId, completedAt, durationSeconds, timezone: 'Europe/Berlin', skills, ...(score === null ? {} : { score }) });
    if (score === null) {
      delete session.score;
    }
    const [outcome] = await app.get(ApplySessionCompletedUseCase).executeBatch(new ApplySessionBatchCommand([parsedSession(session, current)], 'kafka'));
    expect(outcome.status).toBe('applied');
  };

  beforeAll(async () => {
    app = await startApplication(url, { now: () => current });
    // A year before: 90 XP, score 60, strings.
    await apply('2029-10-01T09:00:00Z', 600, 60, ['strings']);
    // Monday 4 November in Berlin: 120 XP (score 80, 30 minutes) listing two children of algorithms, then 105 XP (90, 15 minutes).
    await apply('2030-11-04T09:00:00Z', 1800, 80, ['arrays', 'graphs']);
    await apply('2030-11-04T17:00:00Z', 900, 90, ['graphs']);
    // 00:30 on Wednesday the 6th in Berlin (still the 5th in UTC): 70 XP, no score.
    await apply('2030-11-05T23:30:00Z', 1200, null, ['databases']);
    // Too short to count: in no figure.
    await apply('2030-11-07T10:00:00Z', 30, 100, ['arrays']);
    // Tuesday the 12th: 95 XP (score 70, 10 minutes), with a code the tree does not know.
    await apply('2030-11-12T08:00:00Z', 600, 70, ['communication', 'kubernetes']);
    current = new Date('2030-11-12T12:00:00Z');
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  it('lists every node of the tree, parents counting each session of their subtree once', async () => {
    const { skills } = await app.get(GetSkillsUseCase).execute(new GetSkillsQuery('ada'));
    const novice = (xp: number) => ({ level: 1, name: 'Novice', xpIntoMastery: xp, xpForNextMastery: 500, nextName: 'Apprentice' });
    expect(skills).toEqual([
      { code: 'algorithms', name: 'Algorithms', parent: null, xp: 315, sessions: 3, averageScore: 76.7, mastery: novice(315), lastPracticedAt: '2030-11-04T17:00:00.000Z' },
      { code: 'arrays', name: 'Arrays', parent: 'algorithms', xp: 120, sessions: 1, averageScore: 80, mastery: novice(120), lastPracticedAt: '2030-11-04T09:00:00.000Z' },
      { code: 'strings', name: 'Strings', parent: 'algorithms', xp: 90, sessions: 1, averageScore: 60, mastery: novice(90), lastPracticedAt: '2029-10-01T09:00:00.000Z' },
      { code: 'graphs', name: 'Graphs', parent: 'algorithms', xp: 225, sessions: 2, averageScore: 85, mastery: novice(225), lastPracticedAt: '2030-11-04T17:00:00.000Z' },
      { code: 'dynamic-programming', name: 'Dynamic programming', parent: 'algorithms', xp: 0, sessions: 0, averageScore: null, mastery: novice(0), lastPracticedAt: null },
      { code: 'system-design', name: 'System design', parent: null, xp: 70, sessions: 1, averageScore: null, mastery: novice(70), lastPracticedAt: '2030-11-05T23:30:00.000Z' },
      { code: 'scalability', name: 'Scalability', parent: 'system-design', xp: 0, sessions: 0, averageScore: null, mastery: novice(0), lastPracticedAt: null },
      { code: 'databases', name: 'Databases', parent: 'system-design', xp: 70, sessions: 1, averageScore: null, mastery: novice(70), lastPracticedAt: '2030-11-05T23:30:00.000Z' },
      { code: 'caching', name: 'Caching', parent: 'system-design', xp: 0, sessions: 0, averageScore: null, mastery: novice(0), lastPracticedAt: null },
      { code: 'behavioural', name: 'Behavioural', parent: null, xp: 0, sessions: 0, averageScore: null, mastery: novice(0), lastPracticedAt: null },
      { code: 'leadership', name: 'Leadership', parent: 'behavioural', xp: 0, sessions: 0, averageScore: null, mastery: novice(0), lastPracticedAt: null },
      { code: 'conflict', name: 'Conflict', parent: 'behavioural', xp: 0, sessions: 0, averageScore: null, mastery: novice(0), lastPracticedAt: null },
      { code: 'communication', name: 'Communication', parent: null, xp: 95, sessions: 1, averageScore: 70, mastery: novice(95), lastPracticedAt: '2030-11-12T08:00:00.000Z' },
    ]);
  });

  it('gives the days with sessions, every ISO week of the range and the trend of the last 10 scores, in the user’s zone', async () => {
    const analytics = await app.get(GetPracticeAnalyticsUseCase).execute(new GetPracticeAnalyticsQuery('ada', 14));
    expect(analytics).toEqual({
      timezone: 'Europe/Berlin',
      days: [
        { date: '2030-11-04', sessions: 2, practiceSeconds: 2700, xp: 225, averageScore: 85 },
        { date: '2030-11-06', sessions: 1, practiceSeconds: 1200, xp: 70, averageScore: null },
        { date: '2030-11-12', sessions: 1, practiceSeconds: 600, xp: 95, averageScore: 70 },
      ],
      // 14 days to Tuesday the 12th start on Wednesday 30 October: three ISO weeks.
      weeks: [
        { weekStart: '2030-10-28', sessions: 0, practiceSeconds: 0, xp: 0, averageScore: null },
        { weekStart: '2030-11-04', sessions: 3, practiceSeconds: 3900, xp: 295, averageScore: 85 },
        { weekStart: '2030-11-11', sessions: 1, practiceSeconds: 600, xp: 95, averageScore: 70 },
      ],
      // The score of a year before is among the last 10: (60 + 80 + 90) / 3, then (60 + 80 + 90 + 70) / 4.
      scoreTrend: [
        { date: '2030-11-04', average: 76.7 },
        { date: '2030-11-12', average: 75 },
      ],
    });
  });

  it('averages exactly the last 10 scored sessions in the trend, those before the range included', async () => {
    // One session a day from 1 to 12 December, scores 45, 50, …, 100; the range is the last 3 days.
    for (let day = 1; day <= 12; day += 1) {
      await apply(`2030-12-${String(day).padStart(2, '0')}T10:00:00Z`, 600, 40 + 5 * day, [], 'bo');
    }
    current = new Date('2030-12-12T20:00:00Z');
    const { scoreTrend } = await app.get(GetPracticeAnalyticsUseCase).execute(new GetPracticeAnalyticsQuery('bo', 3));
    // The 10th: the scores of days 1 to 10, nine of them before the range; then days 2 to 11, and 3 to 12.
    expect(scoreTrend).toEqual([
      { date: '2030-12-10', average: 67.5 },
      { date: '2030-12-11', average: 72.5 },
      { date: '2030-12-12', average: 77.5 },
    ]);
  });

  it('answers a user never seen with an untouched tree and empty weeks in UTC', async () => {
    current = new Date('2030-12-12T20:00:00Z');
    const { skills } = await app.get(GetSkillsUseCase).execute(new GetSkillsQuery('nobody'));
    expect(skills.every((skill) => skill.xp === 0 && skill.sessions === 0 && skill.lastPracticedAt === null)).toBe(true);
    expect(skills).toHaveLength(13);
    const analytics = await app.get(GetPracticeAnalyticsUseCase).execute(new GetPracticeAnalyticsQuery('nobody', 1));
    expect(analytics).toEqual({ timezone: 'UTC', days: [], weeks: [{ weekStart: '2030-12-09', sessions: 0, practiceSeconds: 0, xp: 0, averageScore: null }], scoreTrend: [] });
  });

  it('follows the rules in force after an apply: the XP each session gives now, and the sessions that still count', async () => {
    const shipped = loadRulesFile('config/rules.yaml');
    // Base 20 instead of 50, and sessions under 15 minutes no longer count.
    const leaner = { ...shipped, version: shipped.version + 1, xp: { ...shipped.xp, base: 20, minimumDurationSeconds: 900 } };
    await app.get(ApplyRulesUseCase).execute(new ApplyRulesCommand(leaner, 'leaner.yaml', 'test'));

    const byCode = new Map((await app.get(GetSkillsUseCase).execute(new GetSkillsQuery('ada'))).skills.map((skill) => [skill.code, skill]));
    // 90 (20 + 40 + 30) and 75 (20 + 45 + 10); the 10-minute sessions of strings and communication no longer count.
    expect(byCode.get('algorithms')).toMatchObject({ xp: 165, sessions: 2, averageScore: 85 });
    expect(byCode.get('strings')).toMatchObject({ xp: 0, sessions: 0, lastPracticedAt: null });
    expect(byCode.get('databases')).toMatchObject({ xp: 40, sessions: 1 });
    expect(byCode.get('communication')).toMatchObject({ xp: 0, sessions: 0 });
    current = new Date('2030-11-12T12:00:00Z');
    expect(await app.get(GetPracticeAnalyticsUseCase).execute(new GetPracticeAnalyticsQuery('ada', 14))).toEqual({
      timezone: 'Europe/Berlin',
      days: [
        { date: '2030-11-04', sessions: 2, practiceSeconds: 2700, xp: 165, averageScore: 85 },
        { date: '2030-11-06', sessions: 1, practiceSeconds: 1200, xp: 40, averageScore: null },
      ],
      weeks: [
        { weekStart: '2030-10-28', sessions: 0, practiceSeconds: 0, xp: 0, averageScore: null },
        { weekStart: '2030-11-04', sessions: 3, practiceSeconds: 3900, xp: 205, averageScore: 85 },
        { weekStart: '2030-11-11', sessions: 0, practiceSeconds: 0, xp: 0, averageScore: null },
      ],
      scoreTrend: [{ date: '2030-11-04', average: 85 }],
    });
  });
});
