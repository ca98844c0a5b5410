/**
 * The steps of applying a run of sessions, in order: where a run's time goes (the worker's metrics).
 * `ledger read` finds the events recorded already (with the transaction's start); `retried` is an
 * attempt given up because another transaction recorded some of the run's events meanwhile, from
 * its write to its rollback; `leaderboards` is the write to Redis after the commit.
 */
export type RunStage = 'ledger read' | 'load' | 'decide' | 'write' | 'commit' | 'retried' | 'leaderboards';

/** Told how long each step of a run took, once it is done. */
export type RunStageObserver = (stage: RunStage, seconds: number) => void;

/** Times consecutive steps: each `lap` reports the time since the one before it. */
export class StageLaps {
  private last = process.hrtime.bigint();

  constructor(private readonly observe: RunStageObserver | undefined) {}

  lap(stage: RunStage): void {
    const now = process.hrtime.bigint();
    this.observe?.(stage, Number(now - this.last) / 1e9);
    this.last = now;
  }
}
