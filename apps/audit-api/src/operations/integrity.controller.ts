import type { EventStore } from '@capflow/event-store';
import { LedgerVerifyReport, ReconciledReadModels, verifyLedger } from '@capflow/read-models';
import { Controller, Get, Inject, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE } from '../audit-api.tokens';
import { Roles } from '../auth/roles.decorator';
import type { ApiRequest } from '../http/api-request';
import { invalid, oneOf, queryParams } from '../http/query-params';

/**
 * `capflow verify` over HTTP: the hash chain recomputed, and the first position where it breaks;
 * then the read models recomputed from the log and compared with what is stored.
 */
@ApiTags('integrity')
@ApiBearerAuth()
@Roles('auditor', 'admin')
@Controller('api/verify')
export class IntegrityController {
  /** One verify at a time: recomputing the read models holds a view of the whole ledger. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModels: ReconciledReadModels,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'recompute the hash chain (ok: false names the first position where the store was changed), then the read models from the log ' +
      '(readSide.ok: false names the read model and its first row that differs)',
  })
  @ApiQuery({ name: 'anchor', required: false, description: 'POSITION:HASH, a head recorded earlier: it must still be in the chain' })
  @ApiQuery({ name: 'logOnly', required: false, enum: ['true', 'false'], description: 'true: the hash chain only, not the read models' })
  verify(@Req() request: ApiRequest): Promise<LedgerVerifyReport> {
    const params = queryParams(request, ['anchor', 'logOnly']);
    let anchor: { position: number; hash: string } | undefined;
    if (params.anchor !== undefined) {
      const match = /^(\d{1,16}):([0-9a-f]{64})$/.exec(params.anchor);
      if (!match || Number(match[1]) > Number.MAX_SAFE_INTEGER) throw invalid('anchor takes POSITION:HASH as verify prints it (e.g. 42:9f86d0…)');
      anchor = { position: Number(match[1]), hash: match[2] };
    }
    if (oneOf(params.logOnly, 'logOnly', ['true', 'false'], 'false') === 'true') return verifyLedger(this.store, null, { anchor });
    const report = this.queue.then(() => verifyLedger(this.store, this.readModels.stored, { anchor }));
    this.queue = report.catch(() => undefined);
    return report;
  }
}
