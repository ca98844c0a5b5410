import { NO_SKILL_XP } from '../skills/skill-xp';
import { NO_STREAK } from '../streaks/streak-calculator';
import type { RecomputedProgress } from './recompute-progress';
import { RulesDiff } from './rules-diff';

function after(overrides: Partial<RecomputedProgress>): RecomputedProgress {
  return {
    totalXp: 0,
    level: 1,
    sessionsCompleted: 0,
    bestScore: null,
    streak: NO_STREAK,
    practiceDays: [],
    timezone: null,
    skillXp: NO_SKILL_XP,
    newlyEarned: [],
    levelChange: null,
    xpByEvent: new Map(),
    outcomes: [],
    ...overrides,
  };
}

const badge = (code: string) => ({ code, name: code, description: code, when: { metric: 'score' as const, atLeast: 1 } });

describe('RulesDiff', () => {
  it('counts the users each change touches, the XP deltas, and the badges and levels newly reached', () => {
    const diff = new RulesDiff();
    diff.add({ before: { totalXp: 100, level: 2 }, after: after({ totalXp: 100, level: 2 }) });
    diff.add({ before: { totalXp: 300, level: 3 }, after: after({ totalXp: 250, level: 3 }) });
    diff.add({ before: { totalXp: 500, level: 3 }, after: after({ totalXp: 620, level: 4, levelChange: { previousLevel: 3, newLevel: 4 }, newlyEarned: [badge('HIGH_SCORER')] }) });
    diff.add({ before: { totalXp: 90, level: 1 }, after: after({ totalXp: 90, level: 1, newlyEarned: [badge('HIGH_SCORER'), badge('EXPLORER')] }) });

    expect(diff.summary()).toEqual({
      usersScanned: 4,
      usersChanged: { any: 3, xp: 2, level: 1, badges: 2 },
      xpDelta: { min: -50, p50: 0, p99: 120, max: 120 },
      newlyEarnedBadges: { EXPLORER: 1, HIGH_SCORER: 2 },
      newlyReachedLevels: { '4': 1 },
    });
  });

  it('says there is no delta when no user was scanned', () => {
    expect(new RulesDiff().summary()).toMatchObject({ usersScanned: 0, xpDelta: null });
  });
});
