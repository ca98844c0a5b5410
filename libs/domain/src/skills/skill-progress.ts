import { masteryOf, type SkillMastery } from './skill-mastery';
import type { SkillMasteryLevel, SkillTree } from './skill-tree';

/** A counted session as the skills see it. */
export interface SkillSession {
  readonly skills: readonly string[];
  readonly xp: number;
  readonly score: number | null;
  readonly completedAt: Date;
}

/** One node of the tree with what the user's sessions gave it (contract section 10, `GET /gamification/skills`). */
export interface SkillProgress {
  readonly code: string;
  readonly name: string;
  readonly parent: string | null;
  readonly xp: number;
  readonly sessions: number;
  /** The mean score of the node's scored sessions, to one decimal; null without any. */
  readonly averageScore: number | null;
  readonly mastery: SkillMastery;
  readonly lastPracticedAt: Date | null;
}

/**
 * Every node of the tree, in the tree's order, as a fold over the user's counted sessions: a
 * session gives its XP to every known skill it lists and to their ancestors, each node once, so a
 * parent's figures cover the distinct sessions of its subtree. Nodes no session reached have 0 XP,
 * no average and no date.
 */
export function skillProgress(tree: SkillTree, mastery: readonly SkillMasteryLevel[], sessions: readonly SkillSession[]): SkillProgress[] {
  const totals = new Map<string, { xp: number; sessions: number; scoreSum: number; scored: number; last: number }>();
  for (const session of sessions) {
    for (const code of tree.reachedBy(session.skills)) {
      const node = totals.get(code) ?? { xp: 0, sessions: 0, scoreSum: 0, scored: 0, last: -Infinity };
      node.xp += session.xp;
      node.sessions += 1;
      if (session.score !== null) {
        node.scoreSum += session.score;
        node.scored += 1;
      }
      node.last = Math.max(node.last, session.completedAt.getTime());
      totals.set(code, node);
    }
  }
  return tree.nodes.map(({ code, name, parent }) => {
    const node = totals.get(code);
    const xp = node?.xp ?? 0;
    return {
      code,
      name,
      parent,
      xp,
      sessions: node?.sessions ?? 0,
      averageScore: node === undefined || node.scored === 0 ? null : Math.round((node.scoreSum / node.scored) * 10) / 10,
      mastery: masteryOf(xp, mastery),
      lastPracticedAt: node === undefined ? null : new Date(node.last),
    };
  });
}
