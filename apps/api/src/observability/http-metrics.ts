import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The api's Prometheus registry: process metrics, requests by route and status, the skill codes of
 * sessions it applied that the tree does not know, and its live streams.
 */
@Injectable()
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  private readonly unknownSkills = new Counter({
    name: 'gamification_unknown_skills_total',
    help: 'Skill codes listed by sessions applied through POST /gamification/sync-progress that the skill tree in force does not know (ignored for skills)',
    registers: [this.registry],
  });

  private readonly openStreams = new Gauge({
    name: 'gamification_streams_open',
    help: 'Live event streams (GET /gamification/stream) open on this instance',
    registers: [this.registry],
  });
  private readonly closedStreams = new Counter({
    name: 'gamification_streams_closed_total',
    help: 'Live event streams ended, by reason: the client left, the client stopped reading (slow), its token expired, the api lost its tail of the topics (unfed), or the api shut down',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly streamEvents = new Counter({
    name: 'gamification_stream_events_total',
    help: 'Events written to live streams (one per stream it went to)',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  streamOpened(): void {
    this.openStreams.inc();
  }

  streamClosed(reason: 'client' | 'slow' | 'expired' | 'unfed' | 'shutdown'): void {
    this.openStreams.dec();
    this.closedStreams.inc({ reason });
  }

  streamEventSent(): void {
    this.streamEvents.inc();
  }

  countUnknownSkills(codes: number): void {
    this.unknownSkills.inc(codes);
  }

  /** A request answered; `seconds` is null for one whose answer is a stream, whose life is not a latency. */
  observe(method: string, route: string, status: number, seconds: number | null): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    if (seconds !== null) {
      this.duration.observe(labels, seconds);
    }
  }
}

/** Times every request; the route label is the matched pattern, never the raw path (ids would explode it). */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: HttpMetrics) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      const route = request.route?.path === undefined ? 'unmatched' : `${request.baseUrl}${request.route.path}`;
      const streamed = String(response.getHeader('content-type') ?? '').startsWith('text/event-stream');
      this.metrics.observe(request.method, route, response.statusCode, streamed ? null : Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  }
}
