import { loadRulesFile } from '@app/config';
import { isCountedSession, sessionXp } from './session-xp';

const { xp } = loadRulesFile('config/rules.yaml');

describe('sessionXp with the shipped rules', () => {
  it.each([
    { durationSeconds: 1800, score: 82, expected: 50 + 40 + 30 },
    { durationSeconds: 600, score: null, expected: 50 + 0 + 10 },
    { durationSeconds: 599, score: 9, expected: 50 + 0 + 0 },
    { durationSeconds: 86_400, score: 100, expected: 50 + 50 + 30 },
    { durationSeconds: 60, score: 0, expected: 50 },
    { durationSeconds: 1200, score: 99.9, expected: 50 + 45 + 20 },
  ])('gives $expected XP for $durationSeconds s with score $score', ({ durationSeconds, score, expected }) => {
    expect(sessionXp({ durationSeconds, score }, xp)).toBe(expected);
  });

  it('caps the duration bonus at maxSteps steps', () => {
    expect(sessionXp({ durationSeconds: 1800, score: null }, xp)).toBe(sessionXp({ durationSeconds: 7200, score: null }, xp));
  });

  it('earns nothing for a session shorter than the minimum duration', () => {
    expect(isCountedSession({ durationSeconds: 59, score: 100 }, xp)).toBe(false);
    expect(sessionXp({ durationSeconds: 59, score: 100 }, xp)).toBe(0);
    expect(isCountedSession({ durationSeconds: 60, score: null }, xp)).toBe(true);
  });

  it('follows changed amounts in the rules', () => {
    const generous = { ...xp, base: 10, score: { step: 20, xpPerStep: 7 } };
    expect(sessionXp({ durationSeconds: 600, score: 59 }, generous)).toBe(10 + 2 * 7 + 10);
  });
});
