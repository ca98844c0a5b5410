import { newDailyChallenges } from '../challenges/daily-challenges';
import { FREEZES_OFF, type ChallengeTemplate, type LevelRules } from '../rules/gamification-rules';
import { profileDayOf, projectChallenge, projectProfile, type RecordedProfile } from './profile-projection';

const levels: LevelRules = { xpFactor: 50, maxLevel: 100 };
const rules = { levels, streakFreeze: FREEZES_OFF };
const withFreezes = { levels, streakFreeze: { earnEveryDays: 7, maxHeld: 2 } };
const templates: ChallengeTemplate[] = [{ type: 'COMPLETE_SESSIONS', description: 'Complete 2 practice sessions today', target: 2, xpReward: 100 }];

const recorded = (fields: Partial<RecordedProfile>): RecordedProfile => ({
  totalXp: 180,
  level: 2,
  sessionsCompleted: 4,
  currentStreak: 3,
  longestStreak: 5,
  lastPracticeDate: '2026-11-25',
  freezesHeld: 0,
  frozenDays: [],
  timezone: 'Europe/Berlin',
  badges: [],
  ...fields,
});

describe('the profile of a user', () => {
  it('shows a user never seen at level 1 with nothing earned, and their challenges', () => {
    const challenges = newDailyChallenges(templates);
    expect(projectProfile(null, challenges, new Date('2026-11-25T12:00:00Z'), rules)).toEqual({
      level: 1,
      totalXp: 0,
      xpIntoLevel: 0,
      xpForNextLevel: 100,
      currentStreak: 0,
      longestStreak: 0,
      lastPracticeDate: null,
      streakFreezes: { held: 0, max: 0, earnEveryDays: 7 },
      frozenDays: [],
      practicedToday: false,
      sessionsCompleted: 0,
      badges: [],
      challenges: [{ ...challenges[0], isCompleted: false }],
    });
  });

  it('shows the XP into the recorded level and what the next one needs', () => {
    const profile = projectProfile(recorded({ totalXp: 180, level: 2 }), [], new Date('2026-11-25T12:00:00Z'), rules);
    expect(profile).toMatchObject({ level: 2, totalXp: 180, xpIntoLevel: 80, xpForNextLevel: 200 });
  });

  it('keeps the streak on the day after the last practice day and shows 0 the day after that', () => {
    const user = recorded({ currentStreak: 3, lastPracticeDate: '2026-11-25', timezone: 'UTC' });
    expect(projectProfile(user, [], new Date('2026-11-26T23:59:00Z'), rules).currentStreak).toBe(3);
    expect(projectProfile(user, [], new Date('2026-11-27T00:00:00Z'), rules).currentStreak).toBe(0);
  });

  it('decides the ended days since the last practice day on read: a freeze each, then the streak ends', () => {
    const user = recorded({ currentStreak: 9, lastPracticeDate: '2026-11-25', freezesHeld: 2, frozenDays: ['2026-11-20'], timezone: 'America/New_York' });
    const at = (instant: string) => projectProfile(user, [], new Date(instant), withFreezes);
    // 2026-11-27T04:59Z is still the 26th in New York: nothing has ended since the 25th.
    expect(at('2026-11-27T04:59:00Z')).toMatchObject({ currentStreak: 9, streakFreezes: { held: 2, max: 2 }, frozenDays: ['2026-11-20'] });
    expect(at('2026-11-27T05:00:00Z')).toMatchObject({ currentStreak: 9, streakFreezes: { held: 1, max: 2 }, frozenDays: ['2026-11-20', '2026-11-26'] });
    expect(at('2026-11-28T05:00:00Z')).toMatchObject({ currentStreak: 9, streakFreezes: { held: 0, max: 2 }, frozenDays: ['2026-11-20', '2026-11-26', '2026-11-27'] });
    expect(at('2026-11-29T05:00:00Z')).toMatchObject({ currentStreak: 0, streakFreezes: { held: 0, max: 2 }, frozenDays: [] });
  });

  it('says the user practised today when the last practice day is today in their zone', () => {
    const user = recorded({ lastPracticeDate: '2026-11-26', timezone: 'Pacific/Kiritimati' });
    // 2026-11-25T12:00Z is already the 26th in Kiritimati (UTC+14), still the 25th in UTC.
    expect(projectProfile(user, [], new Date('2026-11-25T12:00:00Z'), rules).practicedToday).toBe(true);
    expect(projectProfile({ ...user, timezone: null }, [], new Date('2026-11-25T12:00:00Z'), rules).practicedToday).toBe(false);
  });

  it('marks a challenge completed once its progress reaches the target', () => {
    const [challenge] = newDailyChallenges(templates);
    expect(projectChallenge({ ...challenge, progress: 1 }).isCompleted).toBe(false);
    expect(projectChallenge({ ...challenge, progress: 2 }).isCompleted).toBe(true);
  });
});

describe("the user's today", () => {
  it('is taken in the zone last seen for the user, and ends at the next local midnight there', () => {
    expect(profileDayOf({ timezone: 'America/New_York' }, new Date('2026-11-26T03:00:00Z'))).toEqual({
      zone: 'America/New_York',
      today: '2026-11-25',
      endsAt: new Date('2026-11-26T05:00:00Z'),
    });
  });

  it('is taken in UTC for a user never seen or whose events never named a zone', () => {
    const now = new Date('2026-11-26T03:00:00Z');
    expect(profileDayOf(null, now)).toEqual({ zone: 'UTC', today: '2026-11-26', endsAt: new Date('2026-11-27T00:00:00Z') });
    expect(profileDayOf({ timezone: null }, now).today).toBe('2026-11-26');
  });
});
