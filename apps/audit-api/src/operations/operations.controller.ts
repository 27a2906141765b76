import { LedgerQueries } from '@capflow/queries';
import { ReconciledReadModels } from '@capflow/read-models';
import { Controller, Get, Header, HttpException, HttpStatus } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../auth/roles.decorator';
import { ApiMetrics } from './api-metrics.service';

/**
 * /health (the store, how far the read models lag, which ones are refused for not matching their
 * digest) and /metrics (Prometheus). No ledger figures: public.
 */
@ApiExcludeController()
@Public()
@SkipThrottle()
@Controller()
export class OperationsController {
  constructor(
    private readonly queries: LedgerQueries,
    private readonly metrics: ApiMetrics,
    private readonly readModels: ReconciledReadModels,
  ) {}

  @Get('health')
  async health(): Promise<Record<string, unknown>> {
    try {
      const { head, readModels, lag } = await this.positions();
      const unreconciled = await this.readModels.unreconciled();
      if (unreconciled.length === 0) return { status: 'up', store: { status: 'up', head }, readModels: { position: readModels, lag } };
      // still up (the log, verify and the audit trail answer), but these read models' reports are refused with 503
      return {
        status: 'degraded',
        code: 'read_model_unreconciled',
        detail: `not answered from, for not matching their digest: ${unreconciled.map((r) => r.projection).join(', ')} (capflow verify names the row)`,
        store: { status: 'up', head },
        readModels: { position: readModels, lag, unreconciled },
      };
    } catch (error) {
      const body = {
        statusCode: 503,
        code: 'unavailable',
        detail: 'the store does not answer',
        status: 'down',
        store: { status: 'down', error: (error as Error)?.message ?? String(error) },
      };
      throw new HttpException(body, HttpStatus.SERVICE_UNAVAILABLE);
    }
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metricsText(): Promise<string> {
    await this.positions().catch(() => undefined); // the store is down: /health says so; the metrics still answer
    return this.metrics.registry.metrics();
  }

  /** The log's head and the slowest read model's checkpoint; keeps the lag gauge current. */
  private async positions(): Promise<{ head: number; readModels: number | null; lag: number | null }> {
    const { readModels, head } = await this.queries.readPosition();
    const lag = readModels === null ? null : head - readModels;
    if (lag !== null) this.metrics.readModelLag.set(lag);
    return { head, readModels, lag };
  }
}
