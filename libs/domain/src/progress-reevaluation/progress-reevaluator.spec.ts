import { loadRulesFile } from '@app/config';
import { NO_SKILL_XP } from '../skills/skill-xp';
import { ProgressReevaluator, type RecordedProgress } from './progress-reevaluator';

const rules = loadRulesFile('config/rules.yaml');
const recorded: RecordedProgress = {
  level: 2,
  sessionsCompleted: 3,
  bestScore: 75,
  practiceDays: ['2026-11-20', '2026-11-22', '2026-11-21'],
  badges: new Set(['FIRST_STEPS']),
  skillXp: NO_SKILL_XP,
};

describe('ProgressReevaluator', () => {
  it('recomputes the streak from the practice days and awards the badges it now earns', () => {
    const result = new ProgressReevaluator(rules).reevaluate(recorded);
    expect(result.streak).toEqual({ currentStreak: 3, longestStreak: 3, lastPracticeDate: '2026-11-22', freezesHeld: 0, frozenDays: [] });
    expect(result.badgesAwarded.map((badge) => badge.code)).toEqual(['ON_FIRE']);
  });

  it('awards a badge an operator made easier in the rules file', () => {
    const easier = { ...rules, badges: rules.badges.map((b) => (b.code === 'HIGH_SCORER' ? { ...b, when: { metric: 'score' as const, atLeast: 70 } } : b)) };
    const result = new ProgressReevaluator(easier).reevaluate({ ...recorded, badges: new Set(['FIRST_STEPS', 'ON_FIRE']) });
    expect(result.badgesAwarded.map((badge) => badge.code)).toEqual(['HIGH_SCORER']);
  });

  it('awards nothing when everything earned is already held', () => {
    const result = new ProgressReevaluator(rules).reevaluate({ ...recorded, badges: new Set(['FIRST_STEPS', 'ON_FIRE']) });
    expect(result.badgesAwarded).toEqual([]);
  });
});
