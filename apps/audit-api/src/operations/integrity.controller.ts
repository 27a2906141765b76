import type { EventStore } from '@capflow/event-store';
import { verifyChain, VerifyReport } from '@capflow/event-store';
import { Controller, Get, Inject, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE } from '../audit-api.tokens';
import { Roles } from '../auth/roles.decorator';
import type { ApiRequest } from '../http/api-request';
import { invalid, queryParams } from '../http/query-params';

/** `capflow verify` over HTTP: the hash chain recomputed, and the first position where it breaks. */
@ApiTags('integrity')
@ApiBearerAuth()
@Roles('auditor', 'admin')
@Controller('api/verify')
export class IntegrityController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  @ApiOperation({ summary: 'recompute the hash chain; ok: false names the first position where the store was changed' })
  @ApiQuery({ name: 'anchor', required: false, description: 'POSITION:HASH, a head recorded earlier: it must still be in the chain' })
  verify(@Req() request: ApiRequest): Promise<VerifyReport> {
    const params = queryParams(request, ['anchor']);
    let anchor: { position: number; hash: string } | undefined;
    if (params.anchor !== undefined) {
      const match = /^(\d{1,16}):([0-9a-f]{64})$/.exec(params.anchor);
      if (!match || Number(match[1]) > Number.MAX_SAFE_INTEGER) throw invalid('anchor takes POSITION:HASH as verify prints it (e.g. 42:9f86d0…)');
      anchor = { position: Number(match[1]), hash: match[2] };
    }
    return verifyChain(this.store, { anchor });
  }
}
