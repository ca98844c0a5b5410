import fc from 'fast-check';
import { loadRulesFile } from '@app/config';
import { LevelCurve } from './level-curve';

const curve = new LevelCurve(loadRulesFile('config/rules.yaml').levels);

describe('LevelCurve with the shipped rules', () => {
  it.each([
    [0, 1],
    [99, 1],
    [100, 2],
    [299, 2],
    [300, 3],
    [600, 4],
    [999, 4],
    [1000, 5],
  ])('puts %i XP at level %i', (xp, level) => {
    expect(curve.levelFor(xp)).toBe(level);
  });

  it('needs 50 * n * (n - 1) XP for level n', () => {
    expect([2, 3, 4, 5, 10].map((level) => curve.xpRequiredFor(level))).toEqual([100, 300, 600, 1000, 4500]);
  });

  it('reports XP into the level and XP between this level and the next', () => {
    expect(curve.progressOf(180)).toEqual({ level: 2, xpIntoLevel: 80, xpForNextLevel: 200 });
    expect(curve.progressOf(0)).toEqual({ level: 1, xpIntoLevel: 0, xpForNextLevel: 100 });
  });

  it('stops at the level cap, with nothing left to the next level', () => {
    const capXp = curve.xpRequiredFor(100);
    expect(curve.levelFor(capXp * 10)).toBe(100);
    expect(curve.progressOf(capXp + 5)).toEqual({ level: 100, xpIntoLevel: 5, xpForNextLevel: 0 });
  });

  it('reports a jump over several levels as one change from the first to the last', () => {
    expect(curve.changeFrom(1, 650)).toEqual({ previousLevel: 1, newLevel: 4 });
    expect(curve.changeFrom(4, 650)).toBeNull();
  });

  it('never moves a level down', () => {
    expect(curve.changeFrom(5, 100)).toBeNull();
  });

  it('is the largest level whose requirement the XP meets, for any XP', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_000_000 }), (xp) => {
        const level = curve.levelFor(xp);
        expect(curve.xpRequiredFor(level)).toBeLessThanOrEqual(xp);
        if (level < curve.maxLevel) {
          expect(curve.xpRequiredFor(level + 1)).toBeGreaterThan(xp);
        }
      }),
    );
  });
});
