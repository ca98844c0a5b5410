import type { SkillMasteryLevel } from './skill-tree';

export interface SkillMastery {
  readonly level: number;
  readonly name: string;
  /** XP in the skill minus what its mastery level needs. */
  readonly xpIntoMastery: number;
  /** What the next mastery level needs minus what this one needed; 0 at the top level (as xpForNextLevel at the level cap). */
  readonly xpForNextMastery: number;
  /** The next mastery level's name (our addition to the contract, for "320 XP to Practitioner"); null at the top level. */
  readonly nextName: string | null;
}

/** The mastery of a skill with `xp` XP, under levels that `skillRulesProblems` accepts (the first at 0 XP). */
export function masteryOf(xp: number, levels: readonly SkillMasteryLevel[]): SkillMastery {
  let index = 0;
  while (index + 1 < levels.length && levels[index + 1].xp <= xp) {
    index += 1;
  }
  const current = levels[index];
  const next = levels[index + 1];
  return {
    level: current.level,
    name: current.name,
    xpIntoMastery: xp - current.xp,
    xpForNextMastery: next === undefined ? 0 : next.xp - current.xp,
    nextName: next?.name ?? null,
  };
}
