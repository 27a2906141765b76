import type { EventStore } from '@capflow/event-store';
import { KafkaClient } from '@capflow/kafka';
import { Controller, Get, Header, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { EVENT_STORE } from './ingest.tokens';
import { IngestMetrics } from './ingest-metrics.service';

/** /health (broker, store, consumer lag) and /metrics (Prometheus). */
@Controller()
export class OperationsController {
  constructor(
    private readonly kafka: KafkaClient,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly metrics: IngestMetrics,
  ) {}

  @Get('health')
  async health(): Promise<Record<string, unknown>> {
    const { topic, retryTopic, groupId } = this.kafka.settings;
    const [broker, store, lag] = await Promise.all([
      check(async () => ({ brokers: (await this.kafka.describeCluster()).brokers })),
      check(async () => ({ head: (await this.store.head()).position })),
      check(async () => {
        const partitions = await this.kafka.groupLag(groupId, [topic, retryTopic]);
        return { total: partitions.reduce((sum, row) => sum + row.lag, 0), partitions };
      }),
    ]);
    const ok = broker.status === 'up' && store.status === 'up';
    const body = { status: ok ? 'up' : 'down', broker, store, lag };
    if (!ok) throw new HttpException(body, HttpStatus.SERVICE_UNAVAILABLE);
    return body;
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText(): Promise<string> {
    return this.metrics.text();
  }
}

async function check(probe: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  try {
    return { status: 'up', ...(await probe()) };
  } catch (error) {
    return { status: 'down', error: (error as Error)?.message ?? String(error) };
  }
}
