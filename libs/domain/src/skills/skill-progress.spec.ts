import { masteryOf } from './skill-mastery';
import { skillProgress, type SkillSession } from './skill-progress';
import { DEFAULT_SKILL_MASTERY, SkillTree } from './skill-tree';

const tree = new SkillTree([
  { code: 'algorithms', name: 'Algorithms', parent: null },
  { code: 'arrays', name: 'Arrays', parent: 'algorithms' },
  { code: 'graphs', name: 'Graphs', parent: 'algorithms' },
  { code: 'shortest-paths', name: 'Shortest paths', parent: 'graphs' },
  { code: 'communication', name: 'Communication', parent: null },
]);

const session = (skills: string[], xp: number, score: number | null, completedAt: string): SkillSession => ({ skills, xp, score, completedAt: new Date(completedAt) });

describe('masteryOf', () => {
  it('places XP in the mastery level it has reached, with the XP into it and the size of the step to the next', () => {
    expect(masteryOf(0, DEFAULT_SKILL_MASTERY)).toEqual({ level: 1, name: 'Novice', xpIntoMastery: 0, xpForNextMastery: 500, nextName: 'Apprentice' });
    expect(masteryOf(499, DEFAULT_SKILL_MASTERY)).toEqual({ level: 1, name: 'Novice', xpIntoMastery: 499, xpForNextMastery: 500, nextName: 'Apprentice' });
    expect(masteryOf(500, DEFAULT_SKILL_MASTERY)).toEqual({ level: 2, name: 'Apprentice', xpIntoMastery: 0, xpForNextMastery: 1500, nextName: 'Practitioner' });
    expect(masteryOf(2300, DEFAULT_SKILL_MASTERY)).toEqual({ level: 3, name: 'Practitioner', xpIntoMastery: 300, xpForNextMastery: 3000, nextName: 'Expert' });
  });

  it('has no step beyond the top level, as the level curve has none beyond its cap', () => {
    expect(masteryOf(25_000, DEFAULT_SKILL_MASTERY)).toEqual({ level: 5, name: 'Master', xpIntoMastery: 15_000, xpForNextMastery: 0, nextName: null });
  });
});

describe('skillProgress', () => {
  it('counts a session that lists two children of one parent once in the parent', () => {
    const progress = skillProgress(tree, DEFAULT_SKILL_MASTERY, [session(['arrays', 'graphs'], 120, 80, '2026-11-20T10:00:00Z')]);
    const byCode = new Map(progress.map((node) => [node.code, node]));
    expect(byCode.get('arrays')).toMatchObject({ xp: 120, sessions: 1 });
    expect(byCode.get('graphs')).toMatchObject({ xp: 120, sessions: 1 });
    expect(byCode.get('algorithms')).toMatchObject({ xp: 120, sessions: 1, averageScore: 80 });
  });

  it('gives a session to every ancestor of a skill it lists, and to nothing for a code not in the tree', () => {
    const progress = skillProgress(tree, DEFAULT_SKILL_MASTERY, [
      session(['shortest-paths', 'kubernetes'], 150, 90, '2026-11-21T10:00:00Z'),
      session(['kubernetes'], 100, 70, '2026-11-22T10:00:00Z'),
    ]);
    expect(progress.map(({ code, xp, sessions }) => `${code} ${xp} ${sessions}`)).toEqual([
      'algorithms 150 1',
      'arrays 0 0',
      'graphs 150 1',
      'shortest-paths 150 1',
      'communication 0 0',
    ]);
  });

  it('lists every node in the tree’s order, those not practised with 0 XP, no average and no date', () => {
    const [algorithms, , , , communication] = skillProgress(tree, DEFAULT_SKILL_MASTERY, [
      session(['arrays'], 100, null, '2026-11-20T10:00:00Z'),
      session(['arrays'], 130, 90, '2026-11-24T18:30:00Z'),
      session(['graphs'], 110, 75, '2026-11-22T09:00:00Z'),
    ]);
    expect(algorithms).toEqual({
      code: 'algorithms',
      name: 'Algorithms',
      parent: null,
      xp: 340,
      sessions: 3,
      // The mean of the scored sessions only: (90 + 75) / 2.
      averageScore: 82.5,
      mastery: { level: 1, name: 'Novice', xpIntoMastery: 340, xpForNextMastery: 500, nextName: 'Apprentice' },
      lastPracticedAt: new Date('2026-11-24T18:30:00Z'),
    });
    expect(communication).toEqual({
      code: 'communication',
      name: 'Communication',
      parent: null,
      xp: 0,
      sessions: 0,
      averageScore: null,
      mastery: { level: 1, name: 'Novice', xpIntoMastery: 0, xpForNextMastery: 500, nextName: 'Apprentice' },
      lastPracticedAt: null,
    });
  });

  it('reaches a mastery level from the XP of the whole subtree', () => {
    const sessions = Array.from({ length: 20 }, (_, index) => session([index % 2 === 0 ? 'arrays' : 'graphs'], 110, 80, `2026-10-${String(index + 1).padStart(2, '0')}T10:00:00Z`));
    const progress = new Map(skillProgress(tree, DEFAULT_SKILL_MASTERY, sessions).map((node) => [node.code, node]));
    expect(progress.get('arrays')!.mastery).toMatchObject({ level: 2, name: 'Apprentice', xpIntoMastery: 600 });
    expect(progress.get('algorithms')!.mastery).toMatchObject({ level: 3, name: 'Practitioner', xpIntoMastery: 200 });
  });
});
