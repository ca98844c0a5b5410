import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { BatchConsumerServer } from '@app/messaging';
import { DatabaseHealth } from '@app/persistence';
import { WorkerMetrics } from './worker-metrics';

/**
 * The worker has no HTTP app; this small listener gives it GET /health, GET /health/ready (database
 * and Kafka consumer) and GET /metrics for its supervisor and Prometheus.
 */
@Injectable()
export class WorkerHttpServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHttpServer.name);
  private server: Server | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: WorkerMetrics,
    private readonly database: DatabaseHealth,
    private readonly consumer: BatchConsumerServer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        this.logger.error(`health/metrics request failed: ${(error as Error).message}`);
        this.send(response, 500, 'application/json', { statusCode: 500, code: 'INTERNAL_ERROR', message: 'Internal server error.' });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.workerHttpPort, this.config.http.host, () => resolve());
    });
    this.server = server;
    this.logger.log(`health and metrics on port ${this.port()}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server === null ? resolve() : this.server.close(() => resolve())));
  }

  port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') {
      this.send(response, 404, 'application/json', { statusCode: 404, code: 'NOT_FOUND', message: 'Not found.' });
    } else if (path === '/health') {
      this.send(response, 200, 'application/json', { status: 'ok' });
    } else if (path === '/health/ready') {
      const database = await this.database.ping().then(
        () => true,
        () => false,
      );
      const kafka = this.consumer.isRunning();
      if (database && kafka) {
        this.send(response, 200, 'application/json', { status: 'ready', database: 'up', kafka: 'up' });
      } else {
        const down = [database ? null : 'database', kafka ? null : 'kafka'].filter((name) => name !== null);
        this.send(response, 503, 'application/json', { statusCode: 503, code: 'NOT_READY', message: `Not ready: ${down.join(' and ')} unavailable.` });
      }
    } else if (path === '/metrics') {
      this.send(response, 200, this.metrics.registry.contentType, await this.metrics.registry.metrics());
    } else {
      this.send(response, 404, 'application/json', { statusCode: 404, code: 'NOT_FOUND', message: 'Not found.' });
    }
  }

  private send(response: ServerResponse, status: number, contentType: string, body: unknown): void {
    response.writeHead(status, { 'Content-Type': contentType });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  }
}
