import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { HttpMetrics, HttpMetricsMiddleware } from './http-metrics';
import { MetricsController } from './metrics.controller';

/** The api's one Prometheus registry, scraped at /metrics, which other modules add their metrics to. */
@Module({
  controllers: [MetricsController],
  providers: [HttpMetrics, HttpMetricsMiddleware],
  exports: [HttpMetrics],
})
export class ObservabilityModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
  }
}
