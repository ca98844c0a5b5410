/** A node of the skill tree (contract section 10); `parent` null for a top-level skill. */
export interface SkillDefinition {
  readonly code: string;
  readonly name: string;
  readonly parent: string | null;
}

/** A mastery level of a skill: reached at `xp` XP in it. */
export interface SkillMasteryLevel {
  readonly level: number;
  readonly name: string;
  readonly xp: number;
}

/** Contract section 10's mastery levels, which rules files without `skillMastery` get. */
export const DEFAULT_SKILL_MASTERY: readonly SkillMasteryLevel[] = [
  { level: 1, name: 'Novice', xp: 0 },
  { level: 2, name: 'Apprentice', xp: 500 },
  { level: 3, name: 'Practitioner', xp: 2000 },
  { level: 4, name: 'Expert', xp: 5000 },
  { level: 5, name: 'Master', xp: 10000 },
];

/**
 * What is wrong with a skill tree and its mastery levels, each problem naming its field: a code
 * twice, a parent that is not a node, parents that lead back to the node; mastery levels that are
 * not 1, 2, 3, … in order, a first level that needs XP (a skill practised once must have a
 * mastery), or thresholds that do not increase.
 */
export function skillRulesProblems(skills: readonly SkillDefinition[], mastery: readonly SkillMasteryLevel[]): string[] {
  const problems: string[] = [];
  const codes = skills.map((skill) => skill.code);
  for (const code of new Set(codes.filter((code, index) => codes.indexOf(code) !== index))) {
    problems.push(`skills: code ${code} appears more than once`);
  }
  const parentOf = new Map(skills.map((skill) => [skill.code, skill.parent]));
  for (const { code, parent } of skills) {
    if (parent !== null && !parentOf.has(parent)) {
      problems.push(`skills: ${code}: parent ${parent} is not a skill of the tree`);
    }
  }
  const cycles = new Set<string>();
  for (const { code } of skills) {
    const line = [code];
    let parent = parentOf.get(code) ?? null;
    while (parent !== null && parentOf.has(parent) && !line.includes(parent)) {
      line.push(parent);
      parent = parentOf.get(parent) ?? null;
    }
    // Back at the start: a cycle, named once, from whichever of its members comes first.
    const cycle = [...line].sort().join(' ');
    if (parent === code && !cycles.has(cycle)) {
      cycles.add(cycle);
      problems.push(`skills: ${code}: its parents lead back to itself (${[...line, code].join(' → ')})`);
    }
  }
  if (mastery.length === 0) {
    problems.push('skillMastery: at least one mastery level is needed');
  }
  mastery.forEach(({ level, name, xp }, index) => {
    if (level !== index + 1) {
      problems.push(`skillMastery: level ${level} (${name}) is in place ${index + 1}: levels must be 1, 2, 3, … in order`);
    }
    if (index === 0 && xp !== 0) {
      problems.push(`skillMastery: level ${level} (${name}): xp must be 0 for the first level, so that every skill has a mastery`);
    }
    if (index > 0 && xp <= mastery[index - 1].xp) {
      problems.push(`skillMastery: level ${level} (${name}): xp ${xp} must be above level ${mastery[index - 1].level}'s (${mastery[index - 1].xp})`);
    }
  });
  return problems;
}

/** A valid skill tree (see `skillRulesProblems`): which codes are known and which nodes a session reaches. */
export class SkillTree {
  private readonly parentOf: ReadonlyMap<string, string | null>;

  constructor(readonly nodes: readonly SkillDefinition[]) {
    this.parentOf = new Map(nodes.map((node) => [node.code, node.parent]));
  }

  has(code: string): boolean {
    return this.parentOf.has(code);
  }

  /**
   * The nodes a session listing `skills` counts for: each known one and all its ancestors, once
   * each (a session that lists two children of a parent counts once in the parent). Unknown codes
   * reach nothing.
   */
  reachedBy(skills: readonly string[]): Set<string> {
    const reached = new Set<string>();
    for (const skill of skills) {
      for (let code: string | null = this.has(skill) ? skill : null; code !== null && !reached.has(code); code = this.parentOf.get(code) ?? null) {
        reached.add(code);
      }
    }
    return reached;
  }
}
