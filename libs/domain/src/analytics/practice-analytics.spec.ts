import { analyticsRange, dayStarts, isoWeekStart, practiceAnalytics, type DailyPractice } from './practice-analytics';

const practice = (date: string, sessions: number, scores: number[], scoreTrend: number | null): DailyPractice => ({
  date,
  sessions,
  practiceSeconds: sessions * 900,
  xp: sessions * 100,
  scoreSum: scores.reduce((sum, score) => sum + score, 0),
  scored: scores.length,
  scoreTrend,
});

describe('practice analytics', () => {
  it('covers the last N local days, today included, across a year end', () => {
    expect(analyticsRange('2027-01-02', 4)).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
    expect(analyticsRange('2028-03-01', 366)[0]).toBe('2027-03-02');
  });

  it('starts ISO weeks on Monday', () => {
    expect(['2026-11-23', '2026-11-26', '2026-11-29', '2026-11-30', '2027-01-01'].map(isoWeekStart)).toEqual(['2026-11-23', '2026-11-23', '2026-11-23', '2026-11-30', '2026-12-28']);
  });

  it('places the days by the zone’s own midnights, a DST day lasting 25 hours', () => {
    const starts = dayStarts(['2026-10-24', '2026-10-25', '2026-10-26'], 'Europe/Berlin');
    expect(starts.map((instant) => instant.toISOString())).toEqual(['2026-10-23T22:00:00.000Z', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z', '2026-10-26T23:00:00.000Z']);
  });

  it('sums the weeks from their days in the range, averaging the scores of the sessions, not of the days', () => {
    const range = analyticsRange('2026-11-25', 10);
    const analytics = practiceAnalytics('UTC', range, [practice('2026-11-17', 1, [60], 60), practice('2026-11-24', 3, [90, 90, 90], 75), practice('2026-11-25', 1, [], null)]);
    expect(analytics.weeks).toEqual([
      { weekStart: '2026-11-16', sessions: 1, practiceSeconds: 900, xp: 100, averageScore: 60 },
      { weekStart: '2026-11-23', sessions: 4, practiceSeconds: 3600, xp: 400, averageScore: 90 },
    ]);
    expect(analytics.days.map((day) => [day.date, day.averageScore])).toEqual([
      ['2026-11-17', 60],
      ['2026-11-24', 90],
      ['2026-11-25', null],
    ]);
    expect(analytics.scoreTrend).toEqual([
      { date: '2026-11-17', average: 60 },
      { date: '2026-11-24', average: 75 },
    ]);
  });
});
