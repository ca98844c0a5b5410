/**
 * What a user's state must be, written from the contract's text alone (CONTRACT.md sections 2, 4,
 * 8 and 10, with their default rules, and the skill tree and skill badges of the issue that built them), as a fold over the user's unique valid events in the order the
 * engine received them, and which streak notices a sweeper must send (section 8). It imports nothing
 * from the engine: dates and wall-clock times come from Intl, the formulas are copied from the
 * contract's prose, so a rule that the engine gets wrong cannot be shared by both.
 */

/** A valid SessionCompleted v1 message, as produced. */
export interface ReferenceEvent {
  readonly eventId: string;
  readonly userId: string;
  readonly completedAt: string;
  readonly durationSeconds: number;
  readonly score?: number | null;
  readonly timezone?: string | null;
  readonly skills?: readonly string[];
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
  /**
   * The section 8 streak at the end of the latest practice day (what was true when it was practised).
   * With `maxHeld: 0`, the run of consecutive practice days ending at the latest one.
   */
  readonly streakAtLastPractice: number;
  /**
   * The section 8 streak as the profile shows it at `now`. With `maxHeld: 0`, 0 once the user's local
   * today is more than a day past the latest practice day, else the run ending at that day.
   */
  readonly currentStreak: number;
  /** The largest value the section 8 streak ever reached. */
  readonly longestStreak: number;
  /** Streak freezes held at `now` (section 8). */
  readonly freezesHeld: number;
  /** The frozen days of the current streak, oldest first, as YYYY-MM-DD; empty when `currentStreak` is 0. */
  readonly frozenDays: readonly string[];
  readonly lastPracticeDate: string | null;
  readonly badges: readonly string[];
  /** The zone the profile reads "today" in: the last one seen, else UTC. */
  readonly zone: string;
  /** Today's challenges in that zone, in the contract's template order. */
  readonly todaysChallenges: readonly ReferenceChallenge[];
  /** XP each of the user's events earned, by eventId (0 for a session too short to count). */
  readonly xpByEvent: ReadonlyMap<string, number>;
  /** Section 10: the XP of each node of the tree a counted session reached, by code. */
  readonly skillXp: Readonly<Record<string, number>>;
}

/** Section 8's `streakFreeze` rule. */
export interface ReferenceFreezeRule {
  readonly earnEveryDays: number;
  /** 0 turns freezes off (and gives section 4's streak exactly). */
  readonly maxHeld: number;
}

/** "streakFreeze: { earnEveryDays: 7, maxHeld: 2 } (default)". */
export const CONTRACT_STREAK_FREEZE: ReferenceFreezeRule = { earnEveryDays: 7, maxHeld: 2 };
/** "streakReminderLocalTime: "20:00"". */
export const CONTRACT_STREAK_REMINDER_LOCAL_TIME = '20:00';

const MINIMUM_DURATION_SECONDS = 60;
const MAX_LEVEL = 100;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * The skill tree the issue suggests and the default rules ship: "Algorithms with arrays, strings,
 * graphs, dynamic-programming; System design with scalability, databases, caching; Behavioural with
 * leadership, conflict; Communication". Child code to parent code; top-level skills map to null.
 */
const SKILL_PARENTS: ReadonlyMap<string, string | null> = new Map([
  ['algorithms', null], ['arrays', 'algorithms'], ['strings', 'algorithms'], ['graphs', 'algorithms'], ['dynamic-programming', 'algorithms'],
  ['system-design', null], ['scalability', 'system-design'], ['databases', 'system-design'], ['caching', 'system-design'],
  ['behavioural', null], ['leadership', 'behavioural'], ['conflict', 'behavioural'],
  ['communication', null],
]);
/** Section 10: "{level: 3, name: Practitioner, xp: 2000}". */
const PRACTITIONER_XP = 2000;

interface BadgeFacts {
  readonly sessions: number;
  readonly longestRun: number;
  readonly bestScore: number | null;
  readonly level: number;
  /** Nodes of the tree a counted session reached: a skill it lists, or an ancestor of one (a parent "covers … its whole subtree"). */
  readonly skillsPractised: number;
  /** The most XP in one node: sessions give theirs to each known skill listed and its ancestors, a node once per session. */
  readonly bestSkillXp: number;
}

const BADGES: ReadonlyArray<{ code: string; earned: (user: BadgeFacts) => boolean }> = [
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
  { code: 'SKILL_EXPLORER', earned: (u) => u.skillsPractised >= 5 },
  { code: 'FIRST_MASTERY', earned: (u) => u.bestSkillXp >= PRACTITIONER_XP },
];

/** Section 10's fold of counted sessions into the nodes of the tree: XP by node. */
function skillXpOf(counted: ReadonlyArray<{ event: ReferenceEvent; xp: number }>): Map<string, number> {
  const xpByNode = new Map<string, number>();
  for (const { event, xp } of counted) {
    const nodes = new Set<string>();
    for (const code of event.skills ?? []) {
      if (!SKILL_PARENTS.has(code)) {
        continue;
      }
      for (let node: string | null = code; node !== null; node = SKILL_PARENTS.get(node) ?? null) {
        nodes.add(node);
      }
    }
    for (const node of nodes) {
      xpByNode.set(node, (xpByNode.get(node) ?? 0) + xp);
    }
  }
  return xpByNode;
}

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
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    throw new Error(`not a YYYY-MM-DD date: ${date}`);
  }
  const [year, month, day] = date.split('-').map(Number);
  return Math.round(Date.UTC(year, month - 1, day) / DAY_MS);
}

function dateOfDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

const clockFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * What the zone's wall clock reads at an instant (to the second), written as the epoch milliseconds
 * of the UTC instant at which a UTC clock reads the same: the offset in effect is this minus the instant.
 */
function wallClockReading(instant: number, zone: string): number {
  let formatter = clockFormatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    clockFormatters.set(zone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(instant).map((part) => [part.type, Number(part.value)]));
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}

function offsetAt(instant: number, zone: string): number {
  return wallClockReading(instant, zone) - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant at which the zone's wall clock first reads local time `time` ("HH:MM") on local date
 * `date`: when the reading happens twice (a DST overlap), the earlier; when it never happens (a DST
 * gap), the first instant after the gap (e.g. Berlin 2026-03-29 02:30 → 03:00 CEST = 01:00Z).
 */
export function localTimeInstant(date: string, time: string, zone: string): Date {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (match === null) {
    throw new Error(`not an HH:MM local time: ${time}`);
  }
  const wanted = dayNumber(date) * DAY_MS + Number(match[1]) * HOUR_MS + Number(match[2]) * 60_000;
  // Every offset the zone uses within a day and a half either side of the wanted reading; an instant
  // whose reading is the wanted one is the reading minus one of them.
  const offsets = new Set<number>();
  for (let hours = -36; hours <= 36; hours += 1) {
    offsets.add(offsetAt(wanted + hours * HOUR_MS, zone));
  }
  const candidates = [...offsets].map((offset) => wanted - offset).sort((a, b) => a - b);
  const exact = candidates.find((instant) => wallClockReading(instant, zone) === wanted);
  if (exact !== undefined) {
    return new Date(exact);
  }
  // A gap: the clock jumps over the wanted reading between two candidates. Find, to the second, the
  // first instant at which it reads past it.
  let before = Math.floor(candidates[0] / 1000);
  let after = Math.ceil(candidates[candidates.length - 1] / 1000);
  if (!(wallClockReading(before * 1000, zone) < wanted && wallClockReading(after * 1000, zone) > wanted)) {
    throw new Error(`cannot place ${date} ${time} in ${zone}`);
  }
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (wallClockReading(middle * 1000, zone) > wanted) {
      after = middle;
    } else {
      before = middle;
    }
  }
  return new Date(after * 1000);
}

/** The end of local date `date` in `zone`: the first instant of the next local date (DST-aware). */
export function endOfLocalDate(date: string, zone: string): Date {
  return localTimeInstant(dateOfDayNumber(dayNumber(date) + 1), '00:00', zone);
}

interface StreakState {
  readonly streak: number;
  readonly held: number;
  /** Day numbers of the frozen days of the current streak, oldest first. */
  readonly frozen: readonly number[];
}

const NO_STREAK: StreakState = { streak: 0, held: 0, frozen: [] };

type DayOutcome = 'practised' | 'frozen' | 'lost' | 'unchanged';

function checkFreezeRule(rule: ReferenceFreezeRule): void {
  if (!Number.isInteger(rule.earnEveryDays) || rule.earnEveryDays < 1 || !Number.isInteger(rule.maxHeld) || rule.maxHeld < 0) {
    throw new Error(`not a streak freeze rule: ${JSON.stringify(rule)}`);
  }
}

/**
 * One day of section 8's walk, word for word:
 * - "a practice day adds 1 to the streak; each time the streak reaches a multiple of earnEveryDays
 *   one freeze is earned, unless maxHeld are already held";
 * - "a day that has ended without practice, while the streak is above 0, uses one freeze if one is
 *   held (the day is frozen: the streak is kept, not increased), otherwise the streak falls to 0";
 * - "today, not practised yet, changes nothing until it ends".
 */
function walkOneDay(state: StreakState, day: number, practised: boolean, ended: boolean, rule: ReferenceFreezeRule): { state: StreakState; outcome: DayOutcome } {
  if (practised) {
    const streak = state.streak + 1;
    const earns = streak % rule.earnEveryDays === 0 && state.held < rule.maxHeld;
    return { state: { streak, held: state.held + (earns ? 1 : 0), frozen: state.frozen }, outcome: 'practised' };
  }
  if (!ended || state.streak === 0) {
    return { state, outcome: 'unchanged' };
  }
  if (state.held > 0) {
    return { state: { streak: state.streak, held: state.held - 1, frozen: [...state.frozen, day] }, outcome: 'frozen' };
  }
  return { state: { streak: 0, held: state.held, frozen: [] }, outcome: 'lost' };
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

/**
 * The user's events, first occurrences only, in the order the engine received them; `freeze` is
 * section 8's rule (`maxHeld: 0` gives section 4's streak exactly).
 */
export function referenceUser(events: readonly ReferenceEvent[], now: Date, freeze: ReferenceFreezeRule = CONTRACT_STREAK_FREEZE): ReferenceUser {
  checkFreezeRule(freeze);
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

  // Practice days are the dates of counted sessions, each in the zone that session used.
  const days = [...new Set(counted.map(({ date }) => dayNumber(date)))].sort((a, b) => a - b);
  const practised = new Set(days);
  const readZone = zone ?? 'UTC';
  const today = calendarDateIn(now, readZone);
  const latest = days.length === 0 ? null : days[days.length - 1];

  // Section 8: "computed day by day over the user's local calendar, from the first practice day to
  // today". Today is in the read zone; a practice day may be later than that (a session in a zone
  // ahead of it). The walk then runs to that latest practice day, and it is the latest day of the
  // walk that has not ended: every day before it has (the user's calendar has been seen past it).
  // This is what keeps `maxHeld: 0` exactly section 4's streak, for which a gap between two practice
  // days always breaks the run.
  let state = NO_STREAK;
  let longestRun = 0;
  let streakAtLastPractice = 0;
  if (latest !== null) {
    const lastDayOfWalk = Math.max(dayNumber(today), latest);
    for (let day = days[0]; day <= lastDayOfWalk; day += 1) {
      state = walkOneDay(state, day, practised.has(day), day < lastDayOfWalk, freeze).state;
      longestRun = Math.max(longestRun, state.streak);
      if (day === latest) {
        streakAtLastPractice = state.streak;
      }
    }
  }
  const currentStreak = state.streak;
  const frozenDays = currentStreak === 0 ? [] : state.frozen.map(dateOfDayNumber);
  const lastPracticeDate = latest === null ? null : counted.find(({ date }) => dayNumber(date) === latest)!.date;

  const scores = counted.flatMap(({ event }) => (typeof event.score === 'number' ? [event.score] : []));
  const bestScore = scores.length === 0 ? null : Math.max(...scores);
  const skillXp = skillXpOf(counted.map(({ event }) => ({ event, xp: xpByEvent.get(event.eventId)! })));
  const skills = { skillsPractised: skillXp.size, bestSkillXp: Math.max(0, ...skillXp.values()) };
  const badges = BADGES.filter((badge) => badge.earned({ sessions: counted.length, longestRun, bestScore, level, ...skills }))
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
    freezesHeld: state.held,
    frozenDays,
    lastPracticeDate,
    badges,
    zone: readZone,
    todaysChallenges,
    xpByEvent,
    skillXp: Object.fromEntries(skillXp),
  };
}

/** A streak notice of section 8, without its eventId and userId. */
export type ReferenceStreakNotice =
  | { readonly type: 'streak.at_risk'; readonly localDate: string; readonly currentStreak: number; readonly freezesHeld: number; readonly dayEndsAt: string }
  | { readonly type: 'streak.frozen'; readonly frozenDate: string; readonly currentStreak: number; readonly freezesHeld: number }
  | { readonly type: 'streak.lost'; readonly lostOn: string; readonly previousStreak: number };

export interface ReferenceStreakNoticeOptions {
  /** Section 8's `streakFreeze`; default `{ earnEveryDays: 7, maxHeld: 2 }`. */
  readonly freeze?: ReferenceFreezeRule;
  /** Section 8's `streakReminderLocalTime`, "HH:MM"; default "20:00". */
  readonly reminderLocalTime?: string;
}

/** How far before the first sweep a reminder or a day end is still announced by it. */
const NOTICE_LOOKBACK_MS = 48 * HOUR_MS;

/**
 * The notices (section 8) that a sweeper running at each instant of `sweeps` (ascending) publishes,
 * in the order sent, for a user whose practice days (YYYY-MM-DD in `zone`) are all known before the
 * first sweep (so this holds only for tests whose sessions of a day arrive before that day's reminder).
 *
 * - Each local date D from the first practice day on is walked as in the profile. When D ends
 *   (`endOfLocalDate`) without practice while the streak is above 0, a freeze held is used:
 *   `streak.frozen {frozenDate: D, currentStreak: the kept streak, freezesHeld: held after using it}`;
 *   else `streak.lost {lostOn: D, previousStreak}`. A day end is announced once, by the first sweep
 *   at or after it.
 * - `streak.at_risk` for D is due at D's reminder instant (`localTimeInstant(D, reminderLocalTime)`)
 *   when the streak is above 0 there and D is not a practice day, with the streak and freezes held
 *   at that instant and `dayEndsAt` = the end of D. It is sent by the first sweep at or after the
 *   reminder instant if that sweep is still before D's end, else never; at most one per date.
 * - Bound: only reminder instants and day ends within [first sweep − 48 h, last sweep] are
 *   announced, so a test may start sweeping shortly before the days it looks at; anything earlier is
 *   taken as announced by sweeps the test did not run.
 * - Within one sweep, notices go in the order they fell due; a day end before a reminder at the same
 *   instant (a reminder at "00:00" comes after the previous day has ended).
 */
export function referenceStreakNotices(
  practiceDays: readonly string[],
  zone: string,
  sweeps: readonly Date[],
  options: ReferenceStreakNoticeOptions = {},
): ReferenceStreakNotice[] {
  const freeze = options.freeze ?? CONTRACT_STREAK_FREEZE;
  const reminderLocalTime = options.reminderLocalTime ?? CONTRACT_STREAK_REMINDER_LOCAL_TIME;
  checkFreezeRule(freeze);
  const sweepTimes = sweeps.map((sweep) => sweep.getTime());
  sweepTimes.forEach((time, index) => {
    if (Number.isNaN(time) || (index > 0 && time < sweepTimes[index - 1])) {
      throw new Error('sweeps must be valid instants in ascending order');
    }
  });
  const practised = new Set(practiceDays.map(dayNumber));
  if (sweepTimes.length === 0 || practised.size === 0) {
    return [];
  }
  const firstSweep = sweepTimes[0];
  const lastSweep = sweepTimes[sweepTimes.length - 1];

  // Everything that falls due, walking day by day; `until` is the end of an at_risk's day.
  const due: Array<{ at: number; rank: number; until: number | null; notice: ReferenceStreakNotice }> = [];
  const lastDay = dayNumber(calendarDateIn(new Date(lastSweep), zone));
  let state = NO_STREAK;
  for (let day = Math.min(...practised); day <= lastDay; day += 1) {
    const date = dateOfDayNumber(day);
    const dayEnd = endOfLocalDate(date, zone).getTime();
    // At D's reminder every earlier day has ended, so the state is the one the walk holds before D.
    if (!practised.has(day) && state.streak > 0) {
      due.push({
        at: localTimeInstant(date, reminderLocalTime, zone).getTime(),
        rank: 1,
        until: dayEnd,
        notice: { type: 'streak.at_risk', localDate: date, currentStreak: state.streak, freezesHeld: state.held, dayEndsAt: new Date(dayEnd).toISOString() },
      });
    }
    const previousStreak = state.streak;
    const step = walkOneDay(state, day, practised.has(day), true, freeze);
    state = step.state;
    if (step.outcome === 'frozen') {
      due.push({ at: dayEnd, rank: 0, until: null, notice: { type: 'streak.frozen', frozenDate: date, currentStreak: state.streak, freezesHeld: state.held } });
    } else if (step.outcome === 'lost') {
      due.push({ at: dayEnd, rank: 0, until: null, notice: { type: 'streak.lost', lostOn: date, previousStreak } });
    }
  }

  due.sort((a, b) => a.at - b.at || a.rank - b.rank);
  const sent: ReferenceStreakNotice[] = [];
  for (const { at, until, notice } of due) {
    if (at < firstSweep - NOTICE_LOOKBACK_MS || at > lastSweep) {
      continue;
    }
    const sweep = sweepTimes.find((time) => time >= at)!;
    if (until !== null && sweep >= until) {
      continue;
    }
    sent.push(notice);
  }
  return sent;
}
