import { isProjectionName, PROJECTIONS, ProjectionName } from '@capflow/read-models';
import { Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AccessLog } from '../access-log/access-log';
import { Roles } from '../auth/roles.decorator';
import { ApiError, ApiErrorCode } from '../http/api-error';
import type { ApiRequest } from '../http/api-request';
import { invalid, queryParams, wholeNumber } from '../http/query-params';
import { ProjectionAdmin } from './projection-admin.service';

/** Read models and the access log: for admins. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/admin')
export class AdminController {
  constructor(
    private readonly projections: ProjectionAdmin,
    private readonly accessLog: AccessLog,
  ) {}

  @Get('projections')
  @ApiOperation({ summary: "the read models: each one's checkpoint and digest, the log's head, the last rebuild" })
  states(@Req() request: ApiRequest): Promise<unknown> {
    queryParams(request, []);
    return this.projections.states();
  }

  @Post('projections/rebuild')
  @HttpCode(202)
  @ApiOperation({ summary: 'rebuild read models from position 0 into a new generation (the old one serves until it is complete); answers at once' })
  @ApiQuery({ name: 'projection', required: false, enum: PROJECTIONS, description: 'one read model (default: all)' })
  rebuild(@Req() request: ApiRequest): unknown {
    const params = queryParams(request, ['projection']);
    if (params.projection !== undefined && !isProjectionName(params.projection))
      throw invalid(`projection takes one of ${PROJECTIONS.join(', ')}, not ${JSON.stringify(params.projection.slice(0, 64))}`);
    const projections: ProjectionName[] = params.projection ? [params.projection as ProjectionName] : [...PROJECTIONS];
    const job = this.projections.rebuild(projections);
    if (!job) throw new ApiError(409, ApiErrorCode.Busy, 'a rebuild is already running: GET /api/admin/projections shows it');
    return job;
  }

  @Get('access-log')
  @ApiOperation({ summary: 'the access log, oldest first: who asked what, when, with what result' })
  @ApiQuery({ name: 'after', required: false, description: 'skip this many entries (the `next` of the previous page)' })
  @ApiQuery({ name: 'limit', required: false, description: '1–1000, default 100' })
  accessLogPage(@Req() request: ApiRequest): unknown {
    const params = queryParams(request, ['after', 'limit']);
    return this.accessLog.read(wholeNumber(params.after, 'after', 0, 0, Number.MAX_SAFE_INTEGER), wholeNumber(params.limit, 'limit', 100, 1, 1000));
  }
}
