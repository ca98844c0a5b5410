import { LEADERBOARDS_OFF, SKILLS_OFF, type BadgeDefinition } from './gamification-rules';
import { assertSupersedes, isBehind, RulesVersionError, sameRules } from './rules-version';

const badge = (code: string): BadgeDefinition => ({ code, name: code, description: code, when: { metric: 'sessionsCompleted', atLeast: 1 } });

describe('assertSupersedes', () => {
  it('accepts a higher version that keeps every badge, and may add badges', () => {
    expect(() => assertSupersedes({ version: 3, badges: [badge('A'), badge('B')] }, { version: 2, badges: [badge('A')] })).not.toThrow();
  });

  it('refuses an equal or lower version, naming the field', () => {
    expect(() => assertSupersedes({ version: 2, badges: [] }, { version: 2, badges: [] })).toThrow(RulesVersionError);
    expect(() => assertSupersedes({ version: 1, badges: [] }, { version: 2, badges: [] })).toThrow(
      'version: 1 is not higher than the version in force (2); each change of the rules needs a higher version',
    );
  });

  it('refuses a version that drops a badge in force, naming each code, with the version problem too', () => {
    const attempt = () => assertSupersedes({ version: 2, badges: [badge('B')] }, { version: 2, badges: [badge('A'), badge('B'), badge('C')] });
    expect(attempt).toThrow(RulesVersionError);
    try {
      attempt();
    } catch (error) {
      expect((error as RulesVersionError).problems).toEqual([
        'version: 2 is not higher than the version in force (2); each change of the rules needs a higher version',
        'badges: A is in force (version 2) and missing here; a badge once awarded is never taken back, so keep its entry (its name, description and rule may change)',
        'badges: C is in force (version 2) and missing here; a badge once awarded is never taken back, so keep its entry (its name, description and rule may change)',
      ]);
    }
  });
});

describe('sameRules and isBehind', () => {
  const rules = { version: 3, xp: { base: 50, score: { step: 10, xpPerStep: 5 }, duration: { stepSeconds: 600, xpPerStep: 10, maxSteps: 3 }, minimumDurationSeconds: 60 }, levels: { xpFactor: 50, maxLevel: 100 }, badges: [badge('A')], challenges: [], streakFreeze: { earnEveryDays: 7, maxHeld: 2 }, streakReminderLocalTime: '20:00', ...LEADERBOARDS_OFF, ...SKILLS_OFF };

  it('compares rules field by field, whatever the key order', () => {
    const reordered = { ...rules, levels: { maxLevel: 100, xpFactor: 50 } };
    expect(sameRules(rules, reordered)).toBe(true);
    expect(sameRules(rules, { ...rules, levels: { xpFactor: 50, maxLevel: 99 } })).toBe(false);
    expect(sameRules(rules, { ...rules, badges: [badge('A'), badge('B')] })).toBe(false);
    expect(sameRules(rules, { ...rules, streakFreeze: { earnEveryDays: 7, maxHeld: 0 } })).toBe(false);
  });

  it('puts a user on a lower version, or on none, behind', () => {
    expect([isBehind(2, 3), isBehind(null, 1), isBehind(3, 3), isBehind(4, 3)]).toEqual([true, true, false, false]);
  });
});
