import { loadRulesFile } from '@app/config';
import type { ChallengeState } from '../challenges/daily-challenges';
import { NO_SKILL_XP } from '../skills/skill-xp';
import { SessionCompletedDecider, type CompletedSession, type UserProgress } from './session-completed.decider';

const rules = loadRulesFile('config/rules.yaml');
const decider = new SessionCompletedDecider(rules);
const now = new Date('2026-11-25T18:00:00Z');

const newUser: UserProgress = {
  totalXp: 0,
  level: 1,
  sessionsCompleted: 0,
  bestScore: null,
  timezone: null,
  practiceDays: [],
  badges: new Set(),
  skillXp: NO_SKILL_XP,
};

function session(overrides: Partial<CompletedSession> = {}): CompletedSession {
  return {
    eventId: 'evt-1',
    userId: 'user-1',
    sessionId: 'sess-1',
    completedAt: new Date('2026-11-25T17:30:00Z'),
    durationSeconds: 1800,
    score: 82,
    timezone: 'Europe/Berlin',
    skills: [],
    ...overrides,
  };
}

function counted(decision: ReturnType<SessionCompletedDecider['decide']>) {
  if (decision.outcome !== 'counted') {
    throw new Error(`expected a counted session, got ${decision.outcome}`);
  }
  return decision;
}

describe('SessionCompletedDecider', () => {
  it('gives a new user XP, a level, a streak of 1, FIRST_STEPS and today’s challenges', () => {
    const decision = counted(decider.decide(session(), newUser, null, now));
    expect(decision.xpAwarded).toBe(120);
    expect(decision.totals).toMatchObject({
      totalXp: 120,
      level: 2,
      sessionsCompleted: 1,
      bestScore: 82,
      currentStreak: 1,
      longestStreak: 1,
      lastPracticeDate: '2026-11-25',
      timezone: 'Europe/Berlin',
    });
    expect(decision.levelChange).toEqual({ previousLevel: 1, newLevel: 2 });
    expect(decision.badgesAwarded.map((badge) => badge.code)).toEqual(['FIRST_STEPS']);
    expect(decision.challengeDay).toMatchObject({
      date: '2026-11-25',
      expiresAt: new Date('2026-11-25T23:00:00Z'),
      created: true,
    });
    expect(decision.challengeDay?.challenges.map((challenge) => [challenge.type, challenge.progress])).toEqual([
      ['COMPLETE_SESSIONS', 1],
      ['SCORE_AT_LEAST', 1],
      ['PRACTICE_MINUTES', 1800],
    ]);
  });

  it('records a session under the minimum duration without counting it', () => {
    expect(decider.decide(session({ durationSeconds: 59, skills: ['graphs', 'knitting'] }), newUser, null, now)).toEqual({
      outcome: 'not-counted',
      reason: 'too-short',
      timezone: 'Europe/Berlin',
      localDate: '2026-11-25',
      unknownSkills: ['knitting'],
    });
  });

  it('takes the zone of a session too short to count as the zone last seen', () => {
    const lateEvening = new Date('2026-11-25T23:30:00Z');
    const [short, zoneless] = decider.decideAll(
      [session({ eventId: 'short', durationSeconds: 30, timezone: 'Asia/Tokyo' }), session({ eventId: 'zoneless', completedAt: lateEvening, timezone: null })],
      new Map([['user-1', newUser]]),
      new Map(),
      now,
    );

    expect(short.decision.outcome).toBe('not-counted');
    expect(zoneless.decision).toMatchObject({ outcome: 'counted', practiceDate: '2026-11-26', totals: { timezone: 'Asia/Tokyo' } });
  });

  it('counts the practice day in the event’s zone, else the user’s last zone, else UTC', () => {
    const lateEvening = new Date('2026-11-25T23:30:00Z');
    expect(decider.practiceDateOf(session({ completedAt: lateEvening }), newUser)).toBe('2026-11-26');
    expect(decider.practiceDateOf(session({ completedAt: lateEvening, timezone: null }), newUser)).toBe('2026-11-25');
    expect(
      decider.practiceDateOf(session({ completedAt: lateEvening, timezone: null }), { timezone: 'Asia/Tokyo' }),
    ).toBe('2026-11-26');
  });

  it('keeps the days already practised when the user moves to another zone, and remembers the new zone', () => {
    // Practised 24 and 25 November in Tokyo, then flies to Los Angeles: 25 November 20:00 there is a
    // new instant, but the same calendar date as the last practice day, so the streak neither grows nor breaks.
    const progress: UserProgress = {
      ...newUser,
      totalXp: 120,
      level: 2,
      sessionsCompleted: 2,
      timezone: 'Asia/Tokyo',
      practiceDays: ['2026-11-24', '2026-11-25'],
      badges: new Set(['FIRST_STEPS']),
    };
    const inLosAngeles = session({ completedAt: new Date('2026-11-26T04:00:00Z'), timezone: 'America/Los_Angeles' });
    const decision = counted(decider.decide(inLosAngeles, progress, null, new Date('2026-11-26T04:01:00Z')));
    expect(decision.practiceDate).toBe('2026-11-25');
    expect(decision.totals).toMatchObject({ currentStreak: 2, longestStreak: 2, timezone: 'America/Los_Angeles' });

    const nextDayNoZone = session({ completedAt: new Date('2026-11-27T04:00:00Z'), timezone: null });
    expect(decider.practiceDateOf(nextDayNoZone, decision.totals)).toBe('2026-11-26');
  });

  it('recomputes the streak from the set of days when a late event fills a gap', () => {
    const progress: UserProgress = {
      ...newUser,
      totalXp: 300,
      level: 3,
      sessionsCompleted: 3,
      practiceDays: ['2026-11-21', '2026-11-22', '2026-11-24'],
      badges: new Set(['FIRST_STEPS']),
    };
    const late = session({ completedAt: new Date('2026-11-23T12:00:00Z') });
    const decision = counted(decider.decide(late, progress, null, now));
    expect(decision.totals).toMatchObject({ currentStreak: 4, longestStreak: 4, lastPracticeDate: '2026-11-24' });
    expect(decision.badgesAwarded.map((badge) => badge.code)).toEqual(['ON_FIRE']);
    expect(decision.challengeDay).toBeNull();
  });

  it('names the skills a counted session lists that the tree does not know', () => {
    const decision = counted(decider.decide(session({ skills: ['graphs', 'kubernetes', 'communication', 'juggling'] }), newUser, null, now));
    expect(decision.unknownSkills).toEqual(['kubernetes', 'juggling']);
    expect(counted(decider.decide(session({ skills: [] }), newUser, null, now)).unknownSkills).toEqual([]);
  });

  it('gives the session its XP once in each node it reaches, and SKILL_EXPLORER at the fifth node practised', () => {
    // 82 in 30 minutes: 50 + 8 * 5 + 3 * 10 = 120 XP, once in algorithms for two of its children.
    const threeNodes: UserProgress = {
      ...newUser,
      totalXp: 300,
      level: 3,
      sessionsCompleted: 3,
      badges: new Set(['FIRST_STEPS']),
      skillXp: { communication: 100, behavioural: 200, leadership: 200 },
    };
    const decision = counted(decider.decide(session({ skills: ['arrays', 'graphs', 'juggling'] }), threeNodes, null, now));
    expect(decision.totals.skillXp).toEqual({ communication: 100, behavioural: 200, leadership: 200, arrays: 120, graphs: 120, algorithms: 120 });
    expect(decision.badgesAwarded.map((badge) => badge.code)).toEqual(['SKILL_EXPLORER']);
    // A parent is practised through its child: arrays and algorithms make five.
    expect(counted(decider.decide(session({ skills: ['arrays'] }), threeNodes, null, now)).badgesAwarded.map((badge) => badge.code)).toEqual(['SKILL_EXPLORER']);
    // A session that reaches only nodes already practised, or none, brings none closer.
    expect(counted(decider.decide(session({ skills: ['leadership', 'behavioural'] }), threeNodes, null, now)).badgesAwarded).toEqual([]);
    expect(counted(decider.decide(session({ skills: ['juggling'] }), threeNodes, null, now)).badgesAwarded).toEqual([]);
  });

  it('awards FIRST_MASTERY when a node reaches Practitioner: a parent fed by two children gets there first', () => {
    const nearly: UserProgress = {
      ...newUser,
      totalXp: 3000,
      level: 8,
      sessionsCompleted: 30,
      badges: new Set(['FIRST_STEPS', 'GETTING_SERIOUS', 'LEVEL_5']),
      skillXp: { databases: 1000, caching: 900, 'system-design': 1900 },
    };
    const decision = counted(decider.decide(session({ skills: ['caching'] }), nearly, null, now));
    expect(decision.totals.skillXp).toEqual({ databases: 1000, caching: 1020, 'system-design': 2020 });
    expect(decision.badgesAwarded.map((badge) => badge.code)).toEqual(['FIRST_MASTERY']);
    const elsewhere = counted(decider.decide(session({ skills: ['communication'] }), nearly, null, now));
    expect(elsewhere.badgesAwarded).toEqual([]);
  });

  it('reaches a streak badge across a frozen day: the freeze keeps the streak the badge counts', () => {
    // A freeze earned every two days: the 21st and 22nd earn one, the 23rd uses it, the 24th makes three.
    const freezing = new SessionCompletedDecider({ ...rules, streakFreeze: { earnEveryDays: 2, maxHeld: 1 } });
    const progress: UserProgress = { ...newUser, totalXp: 200, level: 2, sessionsCompleted: 2, timezone: 'UTC', practiceDays: ['2026-11-21', '2026-11-22'], badges: new Set(['FIRST_STEPS']) };
    const dayAfterTheGap = session({ completedAt: new Date('2026-11-24T12:00:00Z'), timezone: 'UTC' });
    const decision = counted(freezing.decide(dayAfterTheGap, progress, null, new Date('2026-11-24T12:01:00Z')));
    expect(decision.totals).toMatchObject({ currentStreak: 3, longestStreak: 3, freezesHeld: 0, frozenDays: ['2026-11-23'] });
    expect(decision.badgesAwarded.map((badge) => badge.code)).toEqual(['ON_FIRE']);
    // Under the shipped rules (a freeze every seven days) none is held yet: the gap ends the streak, and no badge is reached.
    const noFreezeHeld = counted(decider.decide(dayAfterTheGap, progress, null, new Date('2026-11-24T12:01:00Z')));
    expect(noFreezeHeld.totals).toMatchObject({ currentStreak: 1, longestStreak: 2 });
    expect(noFreezeHeld.badgesAwarded).toEqual([]);
  });

  it('publishes one level change over several levels at once', () => {
    const bigRules = { ...rules, xp: { ...rules.xp, base: 600 } };
    const decision = counted(new SessionCompletedDecider(bigRules).decide(session(), newUser, null, now));
    expect(decision.totals.totalXp).toBe(670);
    expect(decision.levelChange).toEqual({ previousLevel: 1, newLevel: 4 });
  });

  it('advances the challenges that already exist for the day and completes them at their targets', () => {
    const existing: ChallengeState[] = [
      { type: 'COMPLETE_SESSIONS', description: 'd', target: 2, xpReward: 100, minScore: null, progress: 1, isClaimed: false },
      { type: 'SCORE_AT_LEAST', description: 'd', target: 1, xpReward: 75, minScore: 80, progress: 1, isClaimed: true },
    ];
    const expiresAt = new Date('2026-11-25T23:00:00Z');
    const decision = counted(decider.decide(session({ score: 50 }), newUser, { expiresAt, challenges: existing }, now));
    expect(decision.challengeDay).toEqual({
      date: '2026-11-25',
      expiresAt,
      created: false,
      challenges: [
        { ...existing[0], progress: 2 },
        existing[1],
      ],
    });
  });

  it('keeps the best score and awards score badges from it', () => {
    const progress = { ...newUser, sessionsCompleted: 1, totalXp: 60, bestScore: 95, badges: new Set(['FIRST_STEPS', 'HIGH_SCORER']) };
    const decision = counted(decider.decide(session({ score: 100 }), progress, null, now));
    expect(decision.totals.bestScore).toBe(100);
    expect(decision.badgesAwarded.map((badge) => badge.code)).toEqual(['PERFECTIONIST']);
    const lower = counted(decider.decide(session({ score: 40 }), progress, null, now));
    expect(lower.totals.bestScore).toBe(95);
  });
});

describe('SessionCompletedDecider.decideAll', () => {
  const rulesDecider = new SessionCompletedDecider(rules);
  const at = (iso: string, overrides: Partial<CompletedSession> = {}) =>
    session({ eventId: `evt-${iso}`, completedAt: new Date(iso), timezone: 'UTC', durationSeconds: 600, score: null, ...overrides });

  it('decides each session against the state the earlier ones of the run left', () => {
    const run = [at('2026-11-24T10:00:00Z'), at('2026-11-25T09:00:00Z'), at('2026-11-25T10:00:00Z', { userId: 'user-2' }), at('2026-11-25T11:00:00Z')];
    const progress = new Map([
      ['user-1', newUser],
      ['user-2', newUser],
    ]);
    const outcomes = rulesDecider.decideAll(run, progress, new Map(), now).map(({ decision }) => counted(decision));

    expect(outcomes.map((decision) => decision.totals.totalXp)).toEqual([60, 120, 60, 180]);
    expect(outcomes.map((decision) => decision.totals.currentStreak)).toEqual([1, 2, 1, 2]);
    expect(outcomes.map((decision) => decision.badgesAwarded.map((badge) => badge.code))).toEqual([['FIRST_STEPS'], [], ['FIRST_STEPS'], []]);
    expect(outcomes.map((decision) => decision.levelChange)).toEqual([null, { previousLevel: 1, newLevel: 2 }, null, null]);
    const completeSessions = (index: number) =>
      outcomes[index].challengeDay?.challenges.find((challenge) => challenge.type === 'COMPLETE_SESSIONS')?.progress;
    expect([completeSessions(1), completeSessions(3)]).toEqual([1, 2]);
    expect(outcomes[0].challengeDay).toBeNull();
  });

  it('gives the same decisions as deciding one session at a time and evolving the state', () => {
    const run = [at('2026-11-20T10:00:00Z', { score: 95 }), at('2026-11-22T10:00:00Z'), at('2026-11-21T10:00:00Z'), at('2026-11-25T08:00:00Z', { durationSeconds: 30 })];
    const all = rulesDecider.decideAll(run, new Map([['user-1', newUser]]), new Map(), now).map(({ decision }) => decision);
    let state: UserProgress = newUser;
    const oneByOne = run.map((item) => {
      const decision = rulesDecider.decide(item, state, null, now);
      state = rulesDecider.evolve(state, decision);
      return decision;
    });
    expect(all).toEqual(oneByOne);
    expect(state).toMatchObject({ totalXp: 60 + 45 + 60 + 60, sessionsCompleted: 3 });
  });
});
