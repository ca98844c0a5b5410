import { masteryOf } from './skill-mastery';
import type { SkillMasteryLevel, SkillTree } from './skill-tree';

/**
 * What the skill badges are judged on, kept with the user's totals so that a decision does not fold
 * the user's facts again: the XP of each node of the tree that a counted session reached (the same
 * figures as `skillProgress` gives; a node reached by a session of no XP is there with 0), and the
 * known skills that counted sessions listed, each once, in code order.
 */
export interface SkillTotals {
  readonly xp: Readonly<Record<string, number>>;
  readonly practised: readonly string[];
}

export const NO_SKILLS: SkillTotals = { xp: {}, practised: [] };

/** The skill totals after a counted session of `xp` listing `skills`: their XP in every node they reach, each node once. */
export function withSessionSkills(totals: SkillTotals, tree: SkillTree, session: { readonly skills: readonly string[]; readonly xp: number }): SkillTotals {
  const reached = tree.reachedBy(session.skills);
  if (reached.size === 0) {
    return totals;
  }
  const xp = { ...totals.xp };
  for (const code of reached) {
    xp[code] = (xp[code] ?? 0) + session.xp;
  }
  const practised = new Set(totals.practised);
  for (const code of session.skills) {
    if (tree.has(code)) {
      practised.add(code);
    }
  }
  return { xp, practised: [...practised].sort() };
}

/**
 * The skill badges' metrics: the distinct known skills practised (those sessions listed, not the
 * parents they reach), and the highest mastery level of a node (0 before any is practised).
 */
export function skillBadgeFigures(totals: SkillTotals, mastery: readonly SkillMasteryLevel[]): { readonly skillsPractised: number; readonly skillMastery: number } {
  const xps = Object.values(totals.xp);
  return {
    skillsPractised: totals.practised.length,
    skillMastery: xps.length === 0 ? 0 : masteryOf(Math.max(...xps), mastery).level,
  };
}
