import type { CompletedSession } from '@app/domain';
import type { EventSource } from '@app/persistence';

/** Apply one validated SessionCompleted v1 event, from the Kafka consumer or the internal HTTP route. */
export class ApplySessionCompletedCommand {
  constructor(
    readonly session: CompletedSession,
    readonly source: EventSource,
  ) {}
}

/** Apply validated SessionCompleted v1 events in their order, in one transaction (a consumer's batch). */
export class ApplySessionBatchCommand {
  constructor(
    readonly sessions: readonly CompletedSession[],
    readonly source: EventSource,
  ) {}
}
