/**
 * What a user's state must be, written from the contract's text alone (CONTRACT.md sections 2 and 4,
 * with their default rules), as a fold over the user's unique valid events in the order the engine
 * received them. It imports nothing from the engine: dates come from Intl, the formulas are
 * copied from the contract's prose, so a rule that the engine gets wrong cannot be shared by both.
 */

/** A valid SessionCompleted v1 message, as produced. */
export interface ReferenceEvent {
  readonly eventId: string;
  readonly userId: string;
  readonly completedAt: string;
  readonly durationSeconds: number;
  readonly score?: number | null;
  readonly timezone?: string | null;
}

export interface ReferenceChallenge {
  readonly type: 'COMPLETE_SESSIONS' | 'SCORE_AT_LEAST' | 'PRACTICE_MINUTES';
  readonly progress: number;
  readonly target: number;
  readonly isCompleted: boolean;
}

export interface ReferenceUser {
  readonly totalXp: number;
  readonly level: number;
  readonly sessionsCompleted: number;
  /** The run of consecutive practice days ending at the latest one (what was true when it was practised). */
  readonly streakAtLastPractice: number;
  /** As the profile shows it at `now`: 0 once the user's local today is more than a day past the latest practice day. */
  readonly currentStreak: number;
  readonly longestStreak: number;
  readonly lastPracticeDate: string | null;
  readonly badges: readonly string[];
  /** The zone the profile reads "today" in: the last one seen, else UTC. */
  readonly zone: string;
  /** Today's challenges in that zone, in the contract's template order. */
  readonly todaysChallenges: readonly ReferenceChallenge[];
  /** XP each of the user's events earned, by eventId (0 for a session too short to count). */
  readonly xpByEvent: ReadonlyMap<string, number>;
}

const MINIMUM_DURATION_SECONDS = 60;
const MAX_LEVEL = 100;

const BADGES: ReadonlyArray<{ code: string; earned: (user: { sessions: number; longestRun: number; bestScore: number | null; level: number }) => boolean }> = [
  { code: 'FIRST_STEPS', earned: (u) => u.sessions >= 1 },
  { code: 'GETTING_SERIOUS', earned: (u) => u.sessions >= 10 },
  { code: 'MARATHONER', earned: (u) => u.sessions >= 50 },
  { code: 'ON_FIRE', earned: (u) => u.longestRun >= 3 },
  { code: 'WEEK_WARRIOR', earned: (u) => u.longestRun >= 7 },
  { code: 'UNSTOPPABLE', earned: (u) => u.longestRun >= 30 },
  { code: 'HIGH_SCORER', earned: (u) => u.bestScore !== null && u.bestScore >= 90 },
  { code: 'PERFECTIONIST', earned: (u) => u.bestScore === 100 },
  { code: 'LEVEL_5', earned: (u) => u.level >= 5 },
  { code: 'LEVEL_10', earned: (u) => u.level >= 10 },
];

const CHALLENGES = [
  { type: 'COMPLETE_SESSIONS', target: 2, gives: (_event: ReferenceEvent) => 1 },
  { type: 'SCORE_AT_LEAST', target: 1, gives: (event: ReferenceEvent) => (typeof event.score === 'number' && event.score >= 80 ? 1 : 0) },
  { type: 'PRACTICE_MINUTES', target: 1800, gives: (event: ReferenceEvent) => event.durationSeconds },
] as const;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of an instant in an IANA zone, from the platform's own time-zone data. */
export function calendarDateIn(instant: Date, zone: string): string {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(zone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(instant).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

function dayNumber(date: string): number {
  const [year, month, day] = date.split('-').map(Number);
  return Math.round(Date.UTC(year, month - 1, day) / 86_400_000);
}

/** Contract section 4: base 50 + floor(score / 10) * 5 + min(floor(duration / 600), 3) * 10; nothing under the minimum. */
export function contractSessionXp(event: Pick<ReferenceEvent, 'durationSeconds' | 'score'>): number {
  if (event.durationSeconds < MINIMUM_DURATION_SECONDS) {
    return 0;
  }
  const score = typeof event.score === 'number' ? Math.floor(event.score / 10) * 5 : 0;
  return 50 + score + Math.min(Math.floor(event.durationSeconds / 600), 3) * 10;
}

/** Contract section 4: level n (n ≥ 2) needs 50 * n * (n - 1) XP in total; capped at 100. */
export function contractLevel(totalXp: number): number {
  let level = 1;
  while (level < MAX_LEVEL && totalXp >= 50 * (level + 1) * level) {
    level += 1;
  }
  return level;
}

/** The user's events, first occurrences only, in the order the engine received them. */
export function referenceUser(events: readonly ReferenceEvent[], now: Date): ReferenceUser {
  let zone: string | null = null;
  const xpByEvent = new Map<string, number>();
  const counted: Array<{ event: ReferenceEvent; date: string; zone: string }> = [];
  for (const event of events) {
    // "absent, the zone last seen for that user; never seen, UTC"
    const eventZone = event.timezone ?? zone ?? 'UTC';
    zone = event.timezone ?? zone;
    const xp = contractSessionXp(event);
    xpByEvent.set(event.eventId, xp);
    if (event.durationSeconds >= MINIMUM_DURATION_SECONDS) {
      counted.push({ event, date: calendarDateIn(new Date(event.completedAt), eventZone), zone: eventZone });
    }
  }
  const totalXp = [...xpByEvent.values()].reduce((sum, xp) => sum + xp, 0);
  const level = contractLevel(totalXp);

  const days = [...new Set(counted.map(({ date }) => dayNumber(date)))].sort((a, b) => a - b);
  let longestRun = 0;
  let run = 0;
  days.forEach((day, index) => {
    run = index > 0 && days[index - 1] === day - 1 ? run + 1 : 1;
    longestRun = Math.max(longestRun, run);
  });
  const streakAtLastPractice = run;
  const readZone = zone ?? 'UTC';
  const today = calendarDateIn(now, readZone);
  const latest = days.length === 0 ? null : days[days.length - 1];
  const currentStreak = latest === null || dayNumber(today) - latest > 1 ? 0 : streakAtLastPractice;
  const lastPracticeDate = latest === null ? null : counted.find(({ date }) => dayNumber(date) === latest)!.date;

  const scores = counted.flatMap(({ event }) => (typeof event.score === 'number' ? [event.score] : []));
  const bestScore = scores.length === 0 ? null : Math.max(...scores);
  const badges = BADGES.filter((badge) => badge.earned({ sessions: counted.length, longestRun, bestScore, level }))
    .map((badge) => badge.code)
    .sort();

  // "3 challenges per local day … created on first need, expiring at the end of that local day.
  // Progress is kept by the engine from counted sessions of that day": the day is created by the
  // first session of it whose zone has not yet ended the day, its expiry set in that zone, and from
  // then on a session counts while that expiry has not passed.
  const hasEnded = (zoneOfDay: string) => calendarDateIn(now, zoneOfDay) > today;
  let creatorZone: string | null = null;
  const countedToday: ReferenceEvent[] = [];
  for (const { event, date, zone: sessionZone } of counted) {
    if (date !== today) {
      continue;
    }
    creatorZone ??= hasEnded(sessionZone) ? null : sessionZone;
    if (creatorZone !== null && !hasEnded(creatorZone)) {
      countedToday.push(event);
    }
  }
  const todaysChallenges = CHALLENGES.map(({ type, target, gives }) => {
    const progress = Math.min(target, countedToday.reduce((sum, event) => sum + gives(event), 0));
    return { type, progress, target, isCompleted: progress >= target };
  });

  return {
    totalXp,
    level,
    sessionsCompleted: counted.length,
    streakAtLastPractice,
    currentStreak,
    longestStreak: longestRun,
    lastPracticeDate,
    badges,
    zone: readZone,
    todaysChallenges,
    xpByEvent,
  };
}
