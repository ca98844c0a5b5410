import type { RecomputedProgress } from './recompute-progress';

/** A user as recorded now, and as a recompute under other rules would leave them. */
export interface UserRecomputation {
  readonly before: { readonly totalXp: number; readonly level: number };
  readonly after: RecomputedProgress;
}

export interface RulesDiffSummary {
  readonly usersScanned: number;
  /** Users whose XP, level or badges would change, and how many of each. */
  readonly usersChanged: { readonly any: number; readonly xp: number; readonly level: number; readonly badges: number };
  /** New XP minus recorded XP over every user scanned; null when none was. */
  readonly xpDelta: { readonly min: number; readonly p50: number; readonly p99: number; readonly max: number } | null;
  /** Badges the new rules would award, by code: how many users would earn each. */
  readonly newlyEarnedBadges: Readonly<Record<string, number>>;
  /** Levels the new rules would take users to (above any they reached), by level: how many users. */
  readonly newlyReachedLevels: Readonly<Record<string, number>>;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** What a change of rules would do to every user, added up user by user as a dry run scans them. */
export class RulesDiff {
  private readonly deltas: number[] = [];
  private readonly changed = { any: 0, xp: 0, level: 0, badges: 0 };
  private readonly badges = new Map<string, number>();
  private readonly levels = new Map<number, number>();

  add({ before, after }: UserRecomputation): void {
    const delta = after.totalXp - before.totalXp;
    this.deltas.push(delta);
    const levelChanged = after.level !== before.level;
    const badgesChanged = after.newlyEarned.length > 0;
    this.changed.xp += delta !== 0 ? 1 : 0;
    this.changed.level += levelChanged ? 1 : 0;
    this.changed.badges += badgesChanged ? 1 : 0;
    this.changed.any += delta !== 0 || levelChanged || badgesChanged ? 1 : 0;
    for (const badge of after.newlyEarned) {
      this.badges.set(badge.code, (this.badges.get(badge.code) ?? 0) + 1);
    }
    if (after.levelChange !== null) {
      this.levels.set(after.levelChange.newLevel, (this.levels.get(after.levelChange.newLevel) ?? 0) + 1);
    }
  }

  summary(): RulesDiffSummary {
    const sorted = [...this.deltas].sort((a, b) => a - b);
    return {
      usersScanned: sorted.length,
      usersChanged: { ...this.changed },
      xpDelta: sorted.length === 0 ? null : { min: sorted[0], p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] },
      newlyEarnedBadges: Object.fromEntries([...this.badges].sort(([a], [b]) => a.localeCompare(b))),
      newlyReachedLevels: Object.fromEntries([...this.levels].sort(([a], [b]) => a - b).map(([level, users]) => [String(level), users])),
    };
  }
}
