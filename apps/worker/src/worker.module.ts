import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ApplicationModule } from '@app/application';
import { AppConfig, ConfigModule, LoggingModule } from '@app/config';
import { BatchConsumerFactory, BatchConsumerServer, MessagingModule, PassThroughRpcErrors, TopicAdmin } from '@app/messaging';
import { SESSION_COMPLETED, SessionCompletedConsumer } from './consumers/session-completed.consumer';
import { LeaderboardSweeper } from './leaderboards/leaderboard-sweeper.service';
import { WorkerHttpServer } from './observability/worker-http.server';
import { WorkerMetrics } from './observability/worker-metrics';
import { OutboxRelay } from './outbox/outbox-relay.service';
import { OutboxRetention } from './outbox/outbox-retention.service';
import { StreakSweeper } from './streaks/streak-sweeper.service';
import { FATAL_ERROR_HANDLER, type FatalErrorHandler } from './worker.tokens';

export interface WorkerModuleOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Defaults to exiting the process, so that its supervisor starts a fresh one. */
  readonly onFatalError?: FatalErrorHandler;
}

const exitProcess: FatalErrorHandler = () => {
  process.exitCode = 1;
  process.kill(process.pid, 'SIGTERM');
};

@Module({})
export class WorkerModule {
  static forRoot(options: WorkerModuleOptions = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot({ role: 'worker', env: options.env }), LoggingModule.forRoot('worker'), ApplicationModule, MessagingModule],
      controllers: [SessionCompletedConsumer],
      providers: [
        // The consumer tells a run given up at a stop from a failure by the error the handler threw.
        { provide: APP_FILTER, useClass: PassThroughRpcErrors },
        {
          provide: BatchConsumerServer,
          inject: [BatchConsumerFactory, TopicAdmin, AppConfig, OutboxRelay, WorkerMetrics, FATAL_ERROR_HANDLER],
          useFactory: (consumers: BatchConsumerFactory, topics: TopicAdmin, config: AppConfig, relay: OutboxRelay, metrics: WorkerMetrics, onFatal: FatalErrorHandler) =>
            new BatchConsumerServer(consumers, topics, {
              pattern: SESSION_COMPLETED,
              groupId: config.kafka.groupId,
              topic: config.topics.sessionCompleted,
              partitionsConsumedConcurrently: config.kafka.partitionsConsumedConcurrently,
              sessionTimeoutMs: config.kafka.sessionTimeoutMs,
              rebalanceTimeoutMs: config.kafka.rebalanceTimeoutMs,
              maxMessagesPerCall: config.kafka.maxEventsPerTransaction,
              afterBatch: () => relay.wake(),
              onStage: (stage, seconds) => metrics.addStageSeconds(stage, seconds),
              onFatalCrash: onFatal,
            }),
        },
        OutboxRelay,
        OutboxRetention,
        StreakSweeper,
        LeaderboardSweeper,
        WorkerMetrics,
        WorkerHttpServer,
        { provide: FATAL_ERROR_HANDLER, useValue: options.onFatalError ?? exitProcess },
      ],
    };
  }
}
