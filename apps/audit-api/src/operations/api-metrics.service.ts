import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The audit API's Prometheus metrics. */
@Injectable()
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'capflow_api_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  private readonly seconds = new Histogram({
    name: 'capflow_api_request_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly readModelLag = new Gauge({
    name: 'capflow_read_model_lag_events',
    help: "Events the slowest read model's checkpoint is behind the log's head, as of the last /health or /metrics",
    registers: [this.registry],
  });

  record(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.seconds.observe({ route }, seconds);
  }
}
