import { masteryOf } from './skill-mastery';
import type { SkillMasteryLevel, SkillTree } from './skill-tree';

/**
 * The XP of each node of the tree that a counted session reached, by code (a node reached by a
 * session of no XP is there with 0): the same figures as `skillProgress` gives for the nodes with
 * sessions. What the skill badges are judged on, kept with the user's totals so that a decision
 * does not fold the user's facts again.
 */
export type SkillXp = Readonly<Record<string, number>>;

export const NO_SKILL_XP: SkillXp = {};

/** The nodes' XP after a counted session of `xp` listing `skills`: its XP in every node they reach, each node once. */
export function withSessionSkillXp(skillXp: SkillXp, tree: SkillTree, session: { readonly skills: readonly string[]; readonly xp: number }): SkillXp {
  const reached = tree.reachedBy(session.skills);
  if (reached.size === 0) {
    return skillXp;
  }
  const next = { ...skillXp };
  for (const code of reached) {
    next[code] = (next[code] ?? 0) + session.xp;
  }
  return next;
}

/**
 * The skill badges' metrics: how many nodes of the tree are practised (those the skills route shows
 * with sessions: a parent is practised once its subtree is), and the highest mastery level of a node
 * (0 before any is practised).
 */
export function skillBadgeFigures(skillXp: SkillXp, mastery: readonly SkillMasteryLevel[]): { readonly skillsPractised: number; readonly skillMastery: number } {
  const xps = Object.values(skillXp);
  return {
    skillsPractised: xps.length,
    skillMastery: xps.length === 0 ? 0 : masteryOf(Math.max(...xps), mastery).level,
  };
}
