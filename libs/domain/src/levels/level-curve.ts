import type { LevelRules } from '../rules/gamification-rules';

export interface LevelProgress {
  readonly level: number;
  /** totalXp minus the XP the current level needed. */
  readonly xpIntoLevel: number;
  /** What the next level needs minus what the current one needed; 0 at the level cap. */
  readonly xpForNextLevel: number;
}

export interface LevelChange {
  readonly previousLevel: number;
  readonly newLevel: number;
}

export class LevelCurve {
  constructor(private readonly rules: LevelRules) {}

  get maxLevel(): number {
    return this.rules.maxLevel;
  }

  xpRequiredFor(level: number): number {
    return level <= 1 ? 0 : this.rules.xpFactor * level * (level - 1);
  }

  levelFor(totalXp: number): number {
    // Closed-form inverse of xpFactor * n * (n - 1), then nudged to absorb floating-point error.
    let level = Math.floor((1 + Math.sqrt(1 + (4 * Math.max(totalXp, 0)) / this.rules.xpFactor)) / 2);
    level = Math.min(Math.max(level, 1), this.rules.maxLevel);
    while (level < this.rules.maxLevel && this.xpRequiredFor(level + 1) <= totalXp) {
      level += 1;
    }
    while (level > 1 && this.xpRequiredFor(level) > totalXp) {
      level -= 1;
    }
    return level;
  }

  progressOf(totalXp: number): LevelProgress {
    return this.progressAt(this.levelFor(totalXp), totalXp);
  }

  /** Progress within a recorded level (levels never go down, so it may lie below what the XP would give). */
  progressAt(level: number, totalXp: number): LevelProgress {
    const current = this.xpRequiredFor(level);
    const xpForNextLevel = level >= this.rules.maxLevel ? 0 : this.xpRequiredFor(level + 1) - current;
    return { level, xpIntoLevel: Math.max(totalXp - current, 0), xpForNextLevel };
  }

  /**
   * One change from the first to the last level, however many levels the XP jumps.
   * Levels never go down, even if an operator makes the curve steeper later.
   */
  changeFrom(previousLevel: number, newTotalXp: number): LevelChange | null {
    const newLevel = this.levelFor(newTotalXp);
    return newLevel > previousLevel ? { previousLevel, newLevel } : null;
  }
}
