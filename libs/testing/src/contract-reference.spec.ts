import { calendarDateIn, endOfLocalDate, localTimeInstant, referenceStreakNotices, referenceUser, type ReferenceEvent } from './contract-reference';

/** Hand-worked examples of CONTRACT.md section 8 (streak freezes and streak notices). */

const OFF = { earnEveryDays: 7, maxHeld: 0 };

let nextId = 0;
function session(completedAt: string, timezone: string | null = 'UTC'): ReferenceEvent {
  nextId += 1;
  return { eventId: `e-${nextId}`, userId: 'u-1', completedAt, durationSeconds: 600, score: 50, timezone };
}

/** One session at 12:00 UTC on each date from `first` to `last` (inclusive). */
function dailyUtc(first: string, last: string): ReferenceEvent[] {
  const events: ReferenceEvent[] = [];
  for (let day = new Date(`${first}T12:00:00Z`); day <= new Date(`${last}T12:00:00Z`); day = new Date(day.getTime() + 86_400_000)) {
    events.push(session(day.toISOString()));
  }
  return events;
}

function streakOf(user: ReturnType<typeof referenceUser>) {
  const { currentStreak, longestStreak, streakAtLastPractice, freezesHeld, frozenDays } = user;
  return { currentStreak, longestStreak, streakAtLastPractice, freezesHeld, frozenDays };
}

describe('referenceUser: section 8 streak', () => {
  it('earns a freeze when the streak reaches 7; an unpractised today changes nothing', () => {
    const user = referenceUser(dailyUtc('2026-11-01', '2026-11-07'), new Date('2026-11-08T23:59:59Z'));
    expect(streakOf(user)).toEqual({ currentStreak: 7, longestStreak: 7, streakAtLastPractice: 7, freezesHeld: 1, frozenDays: [] });
    expect(user.badges).toEqual(expect.arrayContaining(['ON_FIRE', 'WEEK_WARRIOR']));
    expect(user.badges).not.toContain('UNSTOPPABLE');
  });

  it('uses the freeze for one ended unpractised day, and the streak goes on from there', () => {
    const events = dailyUtc('2026-11-01', '2026-11-07');
    // 2026-11-08 ended without practice: frozen; today 2026-11-09 not practised yet: nothing.
    expect(streakOf(referenceUser(events, new Date('2026-11-09T00:00:00Z')))).toEqual({
      currentStreak: 7,
      longestStreak: 7,
      streakAtLastPractice: 7,
      freezesHeld: 0,
      frozenDays: ['2026-11-08'],
    });
    // Practising 2026-11-09 and 10: 8, 9.
    const more = [...events, ...dailyUtc('2026-11-09', '2026-11-10')];
    expect(streakOf(referenceUser(more, new Date('2026-11-10T18:00:00Z')))).toEqual({
      currentStreak: 9,
      longestStreak: 9,
      streakAtLastPractice: 9,
      freezesHeld: 0,
      frozenDays: ['2026-11-08'],
    });
    // 2026-11-09..15 practised: the streak reaches 14 on 2026-11-15 and earns a second freeze.
    const fortnight = [...events, ...dailyUtc('2026-11-09', '2026-11-15')];
    expect(streakOf(referenceUser(fortnight, new Date('2026-11-15T18:00:00Z')))).toEqual({
      currentStreak: 14,
      longestStreak: 14,
      streakAtLastPractice: 14,
      freezesHeld: 1,
      frozenDays: ['2026-11-08'],
    });
  });

  it('two ended unpractised days with one freeze: the first is frozen, the second loses the streak', () => {
    const user = referenceUser(dailyUtc('2026-11-01', '2026-11-07'), new Date('2026-11-10T12:00:00Z'));
    expect(streakOf(user)).toEqual({ currentStreak: 0, longestStreak: 7, streakAtLastPractice: 7, freezesHeld: 0, frozenDays: [] });
  });

  it('holds at most maxHeld freezes', () => {
    // 2026-11-01..21: 21 days; freezes at 7 and 14; at 21 two are already held.
    const events = dailyUtc('2026-11-01', '2026-11-21');
    expect(streakOf(referenceUser(events, new Date('2026-11-22T12:00:00Z')))).toEqual({
      currentStreak: 21,
      longestStreak: 21,
      streakAtLastPractice: 21,
      freezesHeld: 2,
      frozenDays: [],
    });
    // 11-22 frozen (1 left), 11-23 frozen (0 left), 11-24 lost; today 11-25 unpractised.
    expect(streakOf(referenceUser(events, new Date('2026-11-25T12:00:00Z')))).toEqual({
      currentStreak: 0,
      longestStreak: 21,
      streakAtLastPractice: 21,
      freezesHeld: 0,
      frozenDays: [],
    });
    // With maxHeld 1, the 21-day streak holds 1, so 11-23 is lost already.
    const one = referenceUser(events, new Date('2026-11-23T12:00:00Z'), { earnEveryDays: 7, maxHeld: 1 });
    expect(streakOf(one)).toEqual({ currentStreak: 21, longestStreak: 21, streakAtLastPractice: 21, freezesHeld: 0, frozenDays: ['2026-11-22'] });
  });

  it('UNSTOPPABLE through a frozen day, which section 4 alone would not give', () => {
    // 11-01..07 (7, one freeze), 11-08 frozen, 11-09..12-01 (23 days): 30 on 2026-12-01.
    // Freezes: 7 → 1, 11-08 → 0, 14 (11-15) → 1, 21 (11-22) → 2, 28 (11-29) → still 2.
    const events = [...dailyUtc('2026-11-01', '2026-11-07'), ...dailyUtc('2026-11-09', '2026-12-01')];
    const user = referenceUser(events, new Date('2026-12-01T12:00:00Z'));
    expect(streakOf(user)).toEqual({ currentStreak: 30, longestStreak: 30, streakAtLastPractice: 30, freezesHeld: 2, frozenDays: ['2026-11-08'] });
    expect(user.badges).toContain('UNSTOPPABLE');
    const old = referenceUser(events, new Date('2026-12-01T12:00:00Z'), OFF);
    expect(streakOf(old)).toEqual({ currentStreak: 23, longestStreak: 23, streakAtLastPractice: 23, freezesHeld: 0, frozenDays: [] });
    expect(old.badges).not.toContain('UNSTOPPABLE');
  });

  it('maxHeld 0: one missed ended day loses the streak (section 4)', () => {
    const events = dailyUtc('2026-11-01', '2026-11-07');
    expect(streakOf(referenceUser(events, new Date('2026-11-08T12:00:00Z'), OFF)).currentStreak).toBe(7);
    expect(streakOf(referenceUser(events, new Date('2026-11-09T00:00:00Z'), OFF))).toEqual({
      currentStreak: 0,
      longestStreak: 7,
      streakAtLastPractice: 7,
      freezesHeld: 0,
      frozenDays: [],
    });
  });

  it('a practice day after the read zone\'s today: the days before it have ended', () => {
    // 2026-11-08T11:00Z is 2026-11-09 01:00 in Kiritimati (+14); the last zone seen is UTC, where
    // "now" is still 2026-11-08. 11-08 comes before the practice day 11-09, so it has ended.
    const events = [session('2026-11-08T11:00:00Z', 'Pacific/Kiritimati'), ...dailyUtc('2026-11-01', '2026-11-07')];
    const now = new Date('2026-11-08T12:00:00Z');
    const user = referenceUser(events, now);
    expect(user.zone).toBe('UTC');
    expect(user.lastPracticeDate).toBe('2026-11-09');
    expect(streakOf(user)).toEqual({ currentStreak: 8, longestStreak: 8, streakAtLastPractice: 8, freezesHeld: 0, frozenDays: ['2026-11-08'] });
    // Section 4: the run ending at 2026-11-09 is 1, and it is shown (today is not past it).
    expect(streakOf(referenceUser(events, now, OFF))).toEqual({ currentStreak: 1, longestStreak: 7, streakAtLastPractice: 1, freezesHeld: 0, frozenDays: [] });
  });

  it('maxHeld 0 gives exactly the section 4 result on random histories', () => {
    const zones = ['UTC', 'Europe/Berlin', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'America/New_York', null];
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let trial = 0; trial < 300; trial += 1) {
      const events: ReferenceEvent[] = [];
      const count = Math.floor(random() * 25);
      for (let index = 0; index < count; index += 1) {
        const instant = Date.UTC(2026, 9, 20) + Math.floor(random() * 20 * 86_400_000);
        events.push({
          ...session(new Date(instant).toISOString(), zones[Math.floor(random() * zones.length)]),
          durationSeconds: random() < 0.1 ? 30 : 600,
        });
      }
      const now = new Date(Date.UTC(2026, 9, 20) + Math.floor(random() * 26 * 86_400_000));
      const user = referenceUser(events, now, OFF);
      const expected = sectionFourStreak(events, now);
      const streakBadges = user.badges.filter((code) => ['ON_FIRE', 'WEEK_WARRIOR', 'UNSTOPPABLE'].includes(code));
      expect({ ...streakOf(user), badges: streakBadges }).toEqual({ ...expected, freezesHeld: 0, frozenDays: [] });
    }
  });
});

/** Section 4's streak as this file computed it before section 8, kept to compare against. */
function sectionFourStreak(events: readonly ReferenceEvent[], now: Date) {
  let zone: string | null = null;
  const dates: string[] = [];
  for (const event of events) {
    const eventZone = event.timezone ?? zone ?? 'UTC';
    zone = event.timezone ?? zone;
    if (event.durationSeconds >= 60) {
      dates.push(calendarDateIn(new Date(event.completedAt), eventZone));
    }
  }
  const toDay = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
  const days = [...new Set(dates.map(toDay))].sort((a, b) => a - b);
  let longestRun = 0;
  let run = 0;
  days.forEach((day, index) => {
    run = index > 0 && days[index - 1] === day - 1 ? run + 1 : 1;
    longestRun = Math.max(longestRun, run);
  });
  const today = toDay(calendarDateIn(now, zone ?? 'UTC'));
  const latest = days.length === 0 ? null : days[days.length - 1];
  const badges = [...(longestRun >= 3 ? ['ON_FIRE'] : []), ...(longestRun >= 7 ? ['WEEK_WARRIOR'] : []), ...(longestRun >= 30 ? ['UNSTOPPABLE'] : [])];
  return {
    currentStreak: latest === null || today - latest > 1 ? 0 : run,
    longestStreak: longestRun,
    streakAtLastPractice: run,
    badges,
  };
}

/** Sweeps every `stepMinutes` from `first` to `last` inclusive. */
function sweepsEvery(stepMinutes: number, first: string, last: string): Date[] {
  const sweeps: Date[] = [];
  for (let at = Date.parse(first); at <= Date.parse(last); at += stepMinutes * 60_000) {
    sweeps.push(new Date(at));
  }
  return sweeps;
}

function dates(first: string, last: string): string[] {
  const out: string[] = [];
  for (let at = Date.parse(`${first}T00:00:00Z`); at <= Date.parse(`${last}T00:00:00Z`); at += 86_400_000) {
    out.push(new Date(at).toISOString().slice(0, 10));
  }
  return out;
}

describe('local time helpers', () => {
  it('place local times and day ends across DST', () => {
    // Berlin: CEST (+2) until 2026-10-25 03:00, then CET (+1); the 25th lasts 25 hours.
    expect(localTimeInstant('2026-10-24', '20:00', 'Europe/Berlin').toISOString()).toBe('2026-10-24T18:00:00.000Z');
    expect(localTimeInstant('2026-10-25', '20:00', 'Europe/Berlin').toISOString()).toBe('2026-10-25T19:00:00.000Z');
    expect(endOfLocalDate('2026-10-24', 'Europe/Berlin').toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(endOfLocalDate('2026-10-25', 'Europe/Berlin').toISOString()).toBe('2026-10-25T23:00:00.000Z');
    // 02:30 on 2026-10-25 happens twice in Berlin: the earlier (CEST).
    expect(localTimeInstant('2026-10-25', '02:30', 'Europe/Berlin').toISOString()).toBe('2026-10-25T00:30:00.000Z');
    // 02:30 on 2026-03-29 never happens in Berlin (02:00 CET → 03:00 CEST at 01:00Z).
    expect(localTimeInstant('2026-03-29', '02:30', 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:00:00.000Z');
    // New York, 2026-03-08: 02:00 EST → 03:00 EDT at 07:00Z.
    expect(localTimeInstant('2026-03-08', '02:30', 'America/New_York').toISOString()).toBe('2026-03-08T07:00:00.000Z');
    // Santiago, 2026-09-06: 00:00 −04 → 01:00 −03 at 04:00Z, so the 5th ends then and the 6th starts at 01:00.
    expect(endOfLocalDate('2026-09-05', 'America/Santiago').toISOString()).toBe('2026-09-06T04:00:00.000Z');
    // +14 and −11.
    expect(localTimeInstant('2026-11-23', '20:00', 'Pacific/Kiritimati').toISOString()).toBe('2026-11-23T06:00:00.000Z');
    expect(endOfLocalDate('2026-11-23', 'Pacific/Kiritimati').toISOString()).toBe('2026-11-23T10:00:00.000Z');
    expect(localTimeInstant('2026-11-23', '20:00', 'Pacific/Pago_Pago').toISOString()).toBe('2026-11-24T07:00:00.000Z');
    expect(endOfLocalDate('2026-11-23', 'Pacific/Pago_Pago').toISOString()).toBe('2026-11-24T11:00:00.000Z');
  });
});

describe('referenceStreakNotices', () => {
  // 2026-10-17..23 practised in Berlin: 7, one freeze. 10-24 (CEST) and 10-25 (the DST change) missed.
  const berlin = dates('2026-10-17', '2026-10-23');

  it('across the DST change in Europe/Berlin: at risk, frozen, at risk, lost', () => {
    const sweeps = sweepsEvery(60, '2026-10-24T00:00:00Z', '2026-10-26T23:00:00Z');
    expect(referenceStreakNotices(berlin, 'Europe/Berlin', sweeps)).toEqual([
      { type: 'streak.at_risk', localDate: '2026-10-24', currentStreak: 7, freezesHeld: 1, dayEndsAt: '2026-10-24T22:00:00.000Z' },
      { type: 'streak.frozen', frozenDate: '2026-10-24', currentStreak: 7, freezesHeld: 0 },
      { type: 'streak.at_risk', localDate: '2026-10-25', currentStreak: 7, freezesHeld: 0, dayEndsAt: '2026-10-25T23:00:00.000Z' },
      { type: 'streak.lost', lostOn: '2026-10-25', previousStreak: 7 },
    ]);
  });

  it('sends each notice at the first sweep at or after it falls due', () => {
    // 20:00 on 10-24 is 18:00Z.
    expect(referenceStreakNotices(berlin, 'Europe/Berlin', [new Date('2026-10-24T17:59:00Z')])).toEqual([]);
    expect(referenceStreakNotices(berlin, 'Europe/Berlin', [new Date('2026-10-24T17:00:00Z'), new Date('2026-10-24T21:59:59Z')])).toEqual([
      { type: 'streak.at_risk', localDate: '2026-10-24', currentStreak: 7, freezesHeld: 1, dayEndsAt: '2026-10-24T22:00:00.000Z' },
    ]);
    // The first sweep after the reminder is past the day's end: no at_risk, the day end still announced.
    expect(referenceStreakNotices(berlin, 'Europe/Berlin', [new Date('2026-10-24T17:00:00Z'), new Date('2026-10-24T22:00:00Z')])).toEqual([
      { type: 'streak.frozen', frozenDate: '2026-10-24', currentStreak: 7, freezesHeld: 0 },
    ]);
  });

  it('announces nothing due more than 48 h before the first sweep', () => {
    // Window from 2026-10-25T00:00Z: the 24th's reminder and end are before it; the 25th's reminder
    // (19:00Z) is in it but its day has ended by the sweep; the 25th's end (23:00Z) is announced.
    expect(referenceStreakNotices(berlin, 'Europe/Berlin', [new Date('2026-10-27T00:00:00Z')])).toEqual([{ type: 'streak.lost', lostOn: '2026-10-25', previousStreak: 7 }]);
  });

  it('practised days send nothing', () => {
    const sweeps = sweepsEvery(60, '2026-10-20T00:00:00Z', '2026-10-26T23:00:00Z');
    expect(referenceStreakNotices(dates('2026-10-17', '2026-10-26'), 'Europe/Berlin', sweeps)).toEqual([]);
  });

  it('in a +14 zone (Pacific/Kiritimati), with a freeze every 3 days', () => {
    // 11-20..22 practised: 3, one freeze. 20:00 local = 06:00Z the same date; the day ends at 10:00Z.
    const sweeps = sweepsEvery(30, '2026-11-22T00:00:00Z', '2026-11-25T00:00:00Z');
    expect(referenceStreakNotices(dates('2026-11-20', '2026-11-22'), 'Pacific/Kiritimati', sweeps, { freeze: { earnEveryDays: 3, maxHeld: 1 } })).toEqual([
      { type: 'streak.at_risk', localDate: '2026-11-23', currentStreak: 3, freezesHeld: 1, dayEndsAt: '2026-11-23T10:00:00.000Z' },
      { type: 'streak.frozen', frozenDate: '2026-11-23', currentStreak: 3, freezesHeld: 0 },
      { type: 'streak.at_risk', localDate: '2026-11-24', currentStreak: 3, freezesHeld: 0, dayEndsAt: '2026-11-24T10:00:00.000Z' },
      { type: 'streak.lost', lostOn: '2026-11-24', previousStreak: 3 },
    ]);
  });

  it('in a −11 zone (Pacific/Pago_Pago), with a 23:30 reminder', () => {
    // 11-20..22 practised: 3, no freeze. 23:30 on 11-23 is 2026-11-24T10:30Z; the 23rd ends at 11:00Z.
    const practice = dates('2026-11-20', '2026-11-22');
    const options = { reminderLocalTime: '23:30' };
    expect(referenceStreakNotices(practice, 'Pacific/Pago_Pago', sweepsEvery(15, '2026-11-23T00:00:00Z', '2026-11-24T12:00:00Z'), options)).toEqual([
      { type: 'streak.at_risk', localDate: '2026-11-23', currentStreak: 3, freezesHeld: 0, dayEndsAt: '2026-11-24T11:00:00.000Z' },
      { type: 'streak.lost', lostOn: '2026-11-23', previousStreak: 3 },
    ]);
    // Hourly sweeps: the first one after 10:30Z is 11:00Z, the day's end, so the reminder is skipped.
    expect(referenceStreakNotices(practice, 'Pacific/Pago_Pago', sweepsEvery(60, '2026-11-23T00:00:00Z', '2026-11-24T12:00:00Z'), options)).toEqual([
      { type: 'streak.lost', lostOn: '2026-11-23', previousStreak: 3 },
    ]);
  });
});

describe('referenceUser: section 10 skill badges', () => {
  const withSkills = (skills: string[], durationSeconds = 600): ReferenceEvent => ({ ...session('2026-11-02T12:00:00Z'), durationSeconds, score: 100, skills });

  it('awards SKILL_EXPLORER at five nodes practised by counted sessions, a parent practised through its children', () => {
    // arrays, graphs and their parent algorithms; communication; databases too short to count.
    const four = [withSkills(['arrays', 'graphs']), withSkills(['communication', 'juggling']), withSkills(['databases'], 59), withSkills(['arrays'])];
    expect(referenceUser(four, new Date('2026-11-02T13:00:00Z')).badges).not.toContain('SKILL_EXPLORER');
    const five = [...four, withSkills(['system-design'])];
    expect(referenceUser(five, new Date('2026-11-02T13:00:00Z')).badges).toContain('SKILL_EXPLORER');
  });

  it('awards FIRST_MASTERY when one node has 2000 XP: a parent counts a session listing two children once', () => {
    // Each session: 50 + 10 * 5 + 1 * 10 = 110 XP; 18 sessions give 1980, 19 give 2090.
    const twoChildren = (count: number) => Array.from({ length: count }, () => withSkills(['databases', 'caching']));
    expect(referenceUser(twoChildren(18), new Date('2026-11-02T13:00:00Z')).badges).not.toContain('FIRST_MASTERY');
    expect(referenceUser(twoChildren(19), new Date('2026-11-02T13:00:00Z')).badges).toContain('FIRST_MASTERY');
  });
});
