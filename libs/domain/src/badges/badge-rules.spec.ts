import { loadRulesFile } from '@app/config';
import { NO_SKILL_XP, type SkillXp } from '../skills/skill-xp';
import { badgeStats, howToEarn, newlyEarnedBadges, type BadgeStats } from './badge-rules';

const { badges, skillMastery } = loadRulesFile('config/rules.yaml');
const none: BadgeStats = { sessionsCompleted: 0, streakDays: 0, score: -1, level: 1, skillsPractised: 0, skillMastery: 0 };
const earned = (stats: Partial<BadgeStats>, held: string[] = []) =>
  newlyEarnedBadges(badges, { ...none, ...stats }, new Set(held)).map((badge) => badge.code);

describe('badge rules with the shipped rules', () => {
  it('awards FIRST_STEPS on the first counted session', () => {
    expect(earned({ sessionsCompleted: 1 })).toEqual(['FIRST_STEPS']);
  });

  it('awards session-count badges at 10 and 50 sessions', () => {
    expect(earned({ sessionsCompleted: 10 }, ['FIRST_STEPS'])).toEqual(['GETTING_SERIOUS']);
    expect(earned({ sessionsCompleted: 50 }, ['FIRST_STEPS', 'GETTING_SERIOUS'])).toEqual(['MARATHONER']);
    expect(earned({ sessionsCompleted: 9 }, ['FIRST_STEPS'])).toEqual([]);
  });

  it('awards streak badges for runs of 3, 7 and 30 days, all at once when a run jumps past them', () => {
    expect(earned({ streakDays: 3 })).toEqual(['ON_FIRE']);
    expect(earned({ streakDays: 7 })).toEqual(['ON_FIRE', 'WEEK_WARRIOR']);
    expect(earned({ streakDays: 30 }, ['ON_FIRE'])).toEqual(['WEEK_WARRIOR', 'UNSTOPPABLE']);
  });

  it('awards HIGH_SCORER at 90 and PERFECTIONIST at 100', () => {
    expect(earned({ score: 89.9 })).toEqual([]);
    expect(earned({ score: 90 })).toEqual(['HIGH_SCORER']);
    expect(earned({ score: 100 })).toEqual(['HIGH_SCORER', 'PERFECTIONIST']);
  });

  it('awards level badges at levels 5 and 10', () => {
    expect(earned({ level: 4 })).toEqual([]);
    expect(earned({ level: 5 })).toEqual(['LEVEL_5']);
    expect(earned({ level: 12 }, ['LEVEL_5'])).toEqual(['LEVEL_10']);
  });

  it('awards SKILL_EXPLORER at 5 skills practised and FIRST_MASTERY at the third mastery level (Practitioner)', () => {
    expect(earned({ skillsPractised: 4, skillMastery: 2 })).toEqual([]);
    expect(earned({ skillsPractised: 5 })).toEqual(['SKILL_EXPLORER']);
    expect(earned({ skillMastery: 3 })).toEqual(['FIRST_MASTERY']);
    expect(earned({ skillsPractised: 13, skillMastery: 5 })).toEqual(['SKILL_EXPLORER', 'FIRST_MASTERY']);
  });

  it('judges the skill badges on the nodes practised and on the mastery of the one with the most XP', () => {
    const stats = (skillXp: SkillXp) => badgeStats({ sessionsCompleted: 1, longestStreak: 1, bestScore: null, level: 1, skillXp }, skillMastery);
    expect(stats(NO_SKILL_XP)).toMatchObject({ skillsPractised: 0, skillMastery: 0 });
    // A node reached by a session of no XP is practised, at the first mastery level.
    expect(stats({ communication: 0 })).toMatchObject({ skillsPractised: 1, skillMastery: 1 });
    expect(stats({ algorithms: 1999, arrays: 1200, graphs: 800 })).toMatchObject({ skillsPractised: 3, skillMastery: 2 });
    expect(stats({ algorithms: 2000, arrays: 1200, graphs: 800 })).toMatchObject({ skillsPractised: 3, skillMastery: 3 });
  });

  it('never awards a badge the user already holds', () => {
    expect(earned({ sessionsCompleted: 60, streakDays: 40, score: 100, level: 20, skillsPractised: 13, skillMastery: 5 }, badges.map((b) => b.code))).toEqual([]);
  });
});

describe('howToEarn', () => {
  it('says in words what each shipped badge asks for', () => {
    expect(badges.map((badge) => howToEarn(badge, skillMastery))).toEqual([
      'Complete a practice session',
      'Complete 10 practice sessions',
      'Complete 50 practice sessions',
      'Practise 3 days in a row',
      'Practise 7 days in a row',
      'Practise 30 days in a row',
      'Score 90 or more in a session',
      'Score 100 or more in a session',
      'Reach level 5',
      'Reach level 10',
      'Practise 5 skills of the skill tree',
      'Reach Practitioner in a skill',
    ]);
  });
});
