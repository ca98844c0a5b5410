import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Clock, type RunStage } from '@app/application';
import { OutboxRepository } from '@app/persistence';

/** The stages of gamification_stage_seconds_total: a run's own (RunStage), the consumer's and the relay's. */
export type WorkerStage = RunStage | 'fetch' | 'parse' | 'dead letters' | 'relay take and mark' | 'relay publish';

/** What the worker did, for Prometheus: events by outcome, dead letters by code, apply latency, outbox lag and retention. */
@Injectable()
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly events = new Counter({
    name: 'gamification_events_total',
    help: 'session.completed messages handled, by outcome (applied, duplicate, rejected)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly deadLetters = new Counter({
    name: 'gamification_dead_letters_total',
    help: 'messages sent to the DLQ, by x-error-code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  private readonly runSeconds = new Histogram({
    name: 'gamification_run_handling_seconds',
    help: 'time to handle one run of messages (one transaction), retries included',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [this.registry],
  });
  private readonly runSize = new Histogram({
    name: 'gamification_run_size_messages',
    help: 'messages per run (one transaction)',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
    registers: [this.registry],
  });
  private readonly stageSeconds = new Counter({
    name: 'gamification_stage_seconds_total',
    help: 'time spent in each stage: of consuming (fetch wait with the offset commit, parse, ledger read, load, decide, write, commit, retried, leaderboards, dead letters; summed over the partitions consumed side by side) and of relaying (relay take and mark, relay publish)',
    labelNames: ['stage'] as const,
    registers: [this.registry],
  });
  private readonly unknownSkills = new Counter({
    name: 'gamification_unknown_skills_total',
    help: 'Skill codes listed by sessions the worker applied that the skill tree in force does not know (ignored for skills)',
    registers: [this.registry],
  });
  private readonly outboxRowsDeleted = new Counter({
    name: 'gamification_outbox_rows_deleted_total',
    help: 'sent outbox rows deleted once older than OUTBOX_RETENTION_HOURS',
    registers: [this.registry],
  });

  private readonly sweepSeconds = new Histogram({
    name: 'gamification_streak_sweep_seconds',
    help: 'time of one streak sweep, by the worker that held it',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly streakNotices = new Counter({
    name: 'gamification_streak_notices_total',
    help: 'streak notices queued in the outbox by the sweep, by type (streak.at_risk, streak.frozen, streak.lost)',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  constructor(outbox: OutboxRepository, clock: Clock) {
    collectDefaultMetrics({ register: this.registry });
    // Each gauge reads the outbox itself: prom-client collects metrics side by side, so a value set
    // in another metric's collect() would show the scrape before.
    new Gauge({
      name: 'gamification_outbox_unsent',
      help: 'award events not yet published',
      registers: [this.registry],
      async collect() {
        this.set((await outbox.lag(clock.now())).unsent);
      },
    });
    new Gauge({
      name: 'gamification_outbox_oldest_unsent_age_seconds',
      help: 'age of the oldest award event not yet published (the relay’s lag)',
      registers: [this.registry],
      async collect() {
        this.set((await outbox.lag(clock.now())).oldestAgeSeconds);
      },
    });
  }

  countOutcome(outcome: 'applied' | 'duplicate' | 'rejected', deadLetterCode?: string): void {
    this.events.inc({ outcome });
    if (deadLetterCode !== undefined) {
      this.deadLetters.inc({ code: deadLetterCode });
    }
  }

  addStageSeconds(stage: WorkerStage, seconds: number): void {
    this.stageSeconds.inc({ stage }, seconds);
  }

  countUnknownSkills(codes: number): void {
    this.unknownSkills.inc(codes);
  }

  observeRun(size: number, seconds: number): void {
    this.runSize.observe(size);
    this.runSeconds.observe(seconds);
  }

  observeStreakSweep(seconds: number, notices: Readonly<Record<string, number>>): void {
    this.sweepSeconds.observe(seconds);
    for (const [type, count] of Object.entries(notices)) {
      this.streakNotices.inc({ type }, count);
    }
  }

  countOutboxRowsDeleted(rows: number): void {
    this.outboxRowsDeleted.inc(rows);
  }
}
