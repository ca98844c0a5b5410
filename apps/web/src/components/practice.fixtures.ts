import { addDays, mondayOf } from '../dates';
import type { PracticeAnalytics, PracticeDay, PracticeWeek, ScoreTrendPoint, Skill } from '../types';

/** Test data shaped as the api answers (CONTRACT.md section 10), for the default skill tree of config/rules.yaml. */

const MASTERY = [
  { level: 1, name: 'Novice', xp: 0 },
  { level: 2, name: 'Apprentice', xp: 500 },
  { level: 3, name: 'Practitioner', xp: 2000 },
  { level: 4, name: 'Expert', xp: 5000 },
  { level: 5, name: 'Master', xp: 10000 },
];

/** A skill node as the api reports it, its mastery worked out from its XP under the default mastery levels. */
export function skill(code: string, name: string, parent: string | null, xp: number, sessions: number, averageScore: number | null, lastPracticedAt: string | null): Skill {
  const index = MASTERY.filter((level) => level.xp <= xp).length - 1;
  const current = MASTERY[index];
  const next = MASTERY[index + 1];
  return {
    code,
    name,
    parent,
    xp,
    sessions,
    averageScore,
    mastery: {
      level: current.level,
      name: current.name,
      xpIntoMastery: xp - current.xp,
      xpForNextMastery: next === undefined ? 0 : next.xp - current.xp,
      nextName: next?.name ?? null,
    },
    lastPracticedAt,
  };
}

/** A user well into algorithms, started on system design, not yet on behavioural questions or communication. */
export const skills: Skill[] = [
  skill('algorithms', 'Algorithms', null, 3240, 31, 78.4, '2026-11-25T18:30:00.000Z'),
  skill('arrays', 'Arrays', 'algorithms', 1680, 16, 81, '2026-11-25T18:30:00.000Z'),
  skill('strings', 'Strings', 'algorithms', 720, 7, 74.5, '2026-11-19T08:10:00.000Z'),
  skill('graphs', 'Graphs', 'algorithms', 960, 9, 69, '2026-11-22T20:05:00.000Z'),
  skill('dynamic-programming', 'Dynamic programming', 'algorithms', 0, 0, null, null),
  skill('system-design', 'System design', null, 410, 4, 71, '2026-11-24T19:00:00.000Z'),
  skill('scalability', 'Scalability', 'system-design', 300, 3, 70, '2026-11-24T19:00:00.000Z'),
  skill('databases', 'Databases', 'system-design', 110, 1, 74, '2026-11-12T17:45:00.000Z'),
  skill('caching', 'Caching', 'system-design', 0, 0, null, null),
  skill('behavioural', 'Behavioural', null, 0, 0, null, null),
  skill('leadership', 'Leadership', 'behavioural', 0, 0, null, null),
  skill('conflict', 'Conflict', 'behavioural', 0, 0, null, null),
  skill('communication', 'Communication', null, 0, 0, null, null),
];

/**
 * A year of practice up to `today` in Europe/Berlin: a session most weekdays of the last months, more and
 * longer ones lately, none at first; `days` only the days with sessions, `weeks` every ISO week of the
 * range, `scoreTrend` the average of the last 10 scored sessions on each scored day. `extra` days are
 * put in as they are, replacing a generated day of the same date (one of no session leaves the date out).
 */
export function analyticsUpTo(today: string, extra: PracticeDay[] = []): PracticeAnalytics {
  const first = addDays(today, -364);
  const byDate = new Map<string, PracticeDay>();
  for (let offset = 0; offset < 365; offset += 1) {
    const date = addDays(first, offset);
    // Every 3rd, 5th or 7th day of a cycle, from day 120 on; twice as long in the last 8 weeks.
    const cycle = (offset * 7) % 11;
    if (offset < 120 || cycle % 2 === 1) {
      continue;
    }
    const sessions = 1 + (cycle % 3);
    const practiceSeconds = sessions * (offset > 308 ? 1500 : 600) + cycle * 60;
    byDate.set(date, { date, sessions, practiceSeconds, xp: sessions * 95 + cycle * 5, averageScore: 60 + (offset % 30) });
  }
  for (const day of extra) {
    if (day.sessions === 0) {
      byDate.delete(day.date);
    } else {
      byDate.set(day.date, day);
    }
  }
  const days = [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
  const weeks: PracticeWeek[] = [];
  for (let monday = mondayOf(first); monday <= today; monday = addDays(monday, 7)) {
    const inWeek = days.filter((day) => day.date >= monday && day.date < addDays(monday, 7));
    const scored = inWeek.filter((day) => day.averageScore !== null);
    weeks.push({
      weekStart: monday,
      sessions: inWeek.reduce((sum, day) => sum + day.sessions, 0),
      practiceSeconds: inWeek.reduce((sum, day) => sum + day.practiceSeconds, 0),
      xp: inWeek.reduce((sum, day) => sum + day.xp, 0),
      averageScore: scored.length === 0 ? null : Math.round(scored.reduce((sum, day) => sum + day.averageScore!, 0) / scored.length),
    });
  }
  const scores: number[] = [];
  const scoreTrend: ScoreTrendPoint[] = [];
  for (const day of days) {
    if (day.averageScore === null) {
      continue;
    }
    scores.push(...Array<number>(day.sessions).fill(day.averageScore));
    const last = scores.slice(-10);
    scoreTrend.push({ date: day.date, average: Math.round((last.reduce((sum, value) => sum + value, 0) / last.length) * 10) / 10 });
  }
  return { timezone: 'Europe/Berlin', days, weeks, scoreTrend };
}

/** What the api answers for a user with no session yet: no days, every week of the range at zero, no trend. */
export function noPracticeUpTo(today: string): PracticeAnalytics {
  const weeks: PracticeWeek[] = [];
  for (let monday = mondayOf(addDays(today, -364)); monday <= today; monday = addDays(monday, 7)) {
    weeks.push({ weekStart: monday, sessions: 0, practiceSeconds: 0, xp: 0, averageScore: null });
  }
  return { timezone: 'Europe/Berlin', days: [], weeks, scoreTrend: [] };
}
