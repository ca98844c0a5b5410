import { loadRulesFile } from '@app/config';
import { skillProgress, type SkillSession } from './skill-progress';
import { SkillTree } from './skill-tree';
import { NO_SKILL_XP, withSessionSkillXp } from './skill-xp';

const rules = loadRulesFile('config/rules.yaml');
const tree = new SkillTree(rules.skills);

describe('withSessionSkillXp', () => {
  it('gives a session its XP once in each node it reaches, and leaves the XP it was given as it was', () => {
    const before = { arrays: 100, algorithms: 100 };
    const after = withSessionSkillXp(before, tree, { skills: ['graphs', 'arrays', 'no-such-skill', 'arrays'], xp: 70 });
    expect(after).toEqual({ arrays: 170, graphs: 70, algorithms: 170 });
    expect(before).toEqual({ arrays: 100, algorithms: 100 });
  });

  it('keeps the same XP when the session names no skill of the tree', () => {
    const before = { arrays: 100, algorithms: 100 };
    expect(withSessionSkillXp(before, tree, { skills: ['no-such-skill'], xp: 70 })).toBe(before);
  });

  it('folds, in any order, to the XP the skills route shows for every node with sessions', () => {
    const sessions: SkillSession[] = [
      { skills: ['arrays', 'strings'], xp: 95, score: 80, completedAt: new Date('2026-11-20T10:00:00Z') },
      { skills: ['databases'], xp: 60, score: null, completedAt: new Date('2026-11-21T10:00:00Z') },
      { skills: ['algorithms', 'graphs'], xp: 120, score: 90, completedAt: new Date('2026-11-22T10:00:00Z') },
      { skills: ['unknown'], xp: 80, score: 70, completedAt: new Date('2026-11-23T10:00:00Z') },
    ];
    const fold = (order: readonly SkillSession[]) => order.reduce((xp, session) => withSessionSkillXp(xp, tree, session), NO_SKILL_XP);
    const route = Object.fromEntries(skillProgress(tree, rules.skillMastery, sessions).filter((node) => node.sessions > 0).map((node) => [node.code, node.xp]));
    expect(route).toEqual({ algorithms: 215, arrays: 95, strings: 95, graphs: 120, 'system-design': 60, databases: 60 });
    expect(fold(sessions)).toEqual(route);
    expect(fold([...sessions].reverse())).toEqual(route);
  });
});
