import type { IngestedBatch } from '@capflow/kafka';
import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The ingest process's Prometheus metrics. */
@Injectable()
export class IngestMetrics {
  readonly registry = new Registry();
  private readonly events = new Counter({
    name: 'capflow_ingest_events_total',
    help: 'Kafka records through the ingestion use case, by outcome (accepted, duplicate, rejected) and rejection reason',
    labelNames: ['outcome', 'reason'],
    registers: [this.registry],
  });
  private readonly routed = new Counter({
    name: 'capflow_ingest_routed_total',
    help: 'Rejected records published to the retry or the dead-letter topic',
    labelNames: ['topic'],
    registers: [this.registry],
  });
  private readonly held = new Counter({
    name: 'capflow_ingest_held_total',
    help:
      'unknown_reference facts kept in memory for later transactions rather than sent to the retry topic (outcome held: per ' +
      'decision), and held facts sent there later without a new decision, no batch having come (outcome released)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly batchSize = new Histogram({
    name: 'capflow_ingest_batch_size',
    help: 'Records per store transaction: a partition batch, with the held facts decided again',
    buckets: [1, 10, 100, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000],
    registers: [this.registry],
  });
  private readonly batchSeconds = new Histogram({
    name: 'capflow_ingest_batch_seconds',
    help: 'Time from a batch handed over to its append and routing being durable',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly lag = new Gauge({
    name: 'capflow_ingest_lag',
    help: 'Records behind the last handled one, per topic and partition, as of the last batch',
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });

  record(batch: IngestedBatch): void {
    let accepted = 0;
    let duplicates = 0;
    for (const outcome of batch.outcomes) {
      if (outcome.status === 'accepted') accepted += 1;
      else if (outcome.status === 'duplicate') duplicates += 1;
      else this.events.inc({ outcome: 'rejected', reason: outcome.reason });
    }
    if (accepted) this.events.inc({ outcome: 'accepted', reason: '' }, accepted);
    if (duplicates) this.events.inc({ outcome: 'duplicate', reason: '' }, duplicates);
    if (batch.retried) this.routed.inc({ topic: 'retry' }, batch.retried);
    if (batch.deadLettered) this.routed.inc({ topic: 'dlq' }, batch.deadLettered);
    if (batch.held) this.held.inc({ outcome: 'held' }, batch.held);
    if (batch.released) this.held.inc({ outcome: 'released' }, batch.released);
    if (batch.size > 0) {
      this.batchSize.observe(batch.size);
      this.batchSeconds.observe(batch.seconds);
    }
    if (batch.partition >= 0) this.lag.set({ topic: batch.topic, partition: String(batch.partition) }, batch.lag);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
