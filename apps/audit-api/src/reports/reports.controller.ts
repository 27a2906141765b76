import { IDENTIFIER_PATTERN } from '@capflow/contracts';
import { BALANCES, COMMITMENTS, CREDITS, FLOWS, flowsAsDot, flowsAsMermaid, isCurrent, LedgerQueries, RESTATEMENTS, ROUND_TRIPS, selectionOf, TRACE } from '@capflow/queries';
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles } from '../auth/roles.decorator';
import type { ApiRequest } from '../http/api-request';
import { invalid, oneOf, queryParams } from '../http/query-params';
import { ReportCache } from './report-cache';
import { reportResponse, TABULAR_FORMATS } from './report-response';

const VIEW = ['asOf', 'knownAt'] as const;

const AsOf = ApiQuery({ name: 'asOf', required: false, description: 'business time: facts that occurred up to then (RFC 3339, or a date: its end)', example: '2025-12-31' });
const KnownAt = ApiQuery({ name: 'knownAt', required: false, description: 'ledger time: the ledger as it stood then (RFC 3339, or a date: its end)' });
const Format = ApiQuery({ name: 'format', required: false, enum: TABULAR_FORMATS, description: 'json (default) or csv' });

/** The reports of the command line, the same JSON; each as of a business time and as known at a ledger time. */
@ApiTags('reports')
@ApiBearerAuth()
@Roles('auditor', 'admin')
@Controller('api')
export class ReportsController {
  constructor(
    private readonly queries: LedgerQueries,
    private readonly cache: ReportCache,
  ) {}

  @Get('balances')
  @ApiOperation({ summary: "every party's postings per account and currency, with the trial balance (EVENTS.md)" })
  @AsOf
  @KnownAt
  @Format
  @ApiProduces('application/json', 'text/csv')
  async balances(@Req() request: ApiRequest, @Res({ passthrough: true }) response: Response): Promise<unknown> {
    const params = queryParams(request, [...VIEW, 'format']);
    const format = oneOf(params.format, 'format', TABULAR_FORMATS, 'json');
    const selection = selectionOf(params);
    if (format === 'json' && isCurrent(selection)) return this.cache.send(request, response, 'balances', 'balances');
    return reportResponse(response, await this.queries.balances(selection), format, BALANCES, 'balances');
  }

  @Get('reports/round-trips')
  @ApiOperation({ summary: "how much of each investment came back to its investor's group (TRACING.md)" })
  @ApiQuery({ name: 'policy', required: true, enum: ['fifo', 'pro_rata'] })
  @AsOf
  @KnownAt
  @Format
  @ApiProduces('application/json', 'text/csv')
  async roundTrips(@Req() request: ApiRequest, @Res({ passthrough: true }) response: Response): Promise<unknown> {
    const params = queryParams(request, [...VIEW, 'policy', 'format']);
    const policy = oneOf(params.policy, 'policy', ['fifo', 'pro_rata'] as const);
    const format = oneOf(params.format, 'format', TABULAR_FORMATS, 'json');
    const selection = selectionOf(params);
    if (format === 'json' && isCurrent(selection)) return this.cache.send(request, response, 'round-trips', policy);
    return reportResponse(response, await this.queries.roundTrips(policy, selection), format, ROUND_TRIPS, `round-trips-${policy}`);
  }

  @Get('reports/trace/:investmentId')
  @ApiOperation({ summary: "one investment's money: every flow that carried its tag, under both policies, and where it is now" })
  @ApiParam({ name: 'investmentId', example: 'amzn-oai' })
  @AsOf
  @KnownAt
  @Format
  @ApiProduces('application/json', 'text/csv')
  async trace(@Param('investmentId') investmentId: string, @Req() request: ApiRequest, @Res({ passthrough: true }) response: Response): Promise<unknown> {
    const params = queryParams(request, [...VIEW, 'format']);
    if (!IDENTIFIER_PATTERN.test(investmentId)) throw invalid(`investmentId ${JSON.stringify(investmentId.slice(0, 64))} is not an identifier (EVENTS.md)`);
    const format = oneOf(params.format, 'format', TABULAR_FORMATS, 'json');
    return reportResponse(response, await this.queries.trace(investmentId, selectionOf(params)), format, TRACE, `trace-${investmentId}`);
  }

  @Get('reports/commitments')
  @ApiOperation({ summary: "compute commitments: committed, billed, remaining (the provider's backlog)" })
  @AsOf
  @KnownAt
  @Format
  @ApiProduces('application/json', 'text/csv')
  async commitments(@Req() request: ApiRequest, @Res({ passthrough: true }) response: Response): Promise<unknown> {
    const params = queryParams(request, [...VIEW, 'format']);
    const format = oneOf(params.format, 'format', TABULAR_FORMATS, 'json');
    const selection = selectionOf(params);
    if (format === 'json' && isCurrent(selection)) return this.cache.send(request, response, 'commitments', 'commitments');
    return reportResponse(response, await this.queries.commitments(selection), format, COMMITMENTS, 'commitments');
  }

  @Get('reports/credits')
  @ApiOperation({ summary: 'compute credit grants: granted, used, expired, remaining' })
  @AsOf
  @KnownAt
  @Format
  @ApiProduces('application/json', 'text/csv')
  async credits(@Req() request: ApiRequest, @Res({ passthrough: true }) response: Response): Promise<unknown> {
    const params = queryParams(request, [...VIEW, 'format']);
    const format = oneOf(params.format, 'format', TABULAR_FORMATS, 'json');
    const selection = selectionOf(params);
    if (format === 'json' && isCurrent(selection)) return this.cache.send(request, response, 'credits', 'credits');
    return reportResponse(response, await this.queries.credits(selection), format, CREDITS, 'credits');
  }

  @Get('reports/flows')
  @ApiOperation({ summary: 'money between groups by kind, with the elementary cycles it makes' })
  @AsOf
  @KnownAt
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv', 'dot', 'mermaid'] })
  @ApiProduces('application/json', 'text/csv', 'text/vnd.graphviz', 'text/plain')
  async flows(@Req() request: ApiRequest, @Res({ passthrough: true }) response: Response): Promise<unknown> {
    const params = queryParams(request, [...VIEW, 'format']);
    const format = oneOf(params.format, 'format', ['json', 'csv', 'dot', 'mermaid'] as const, 'json');
    const selection = selectionOf(params);
    if (format === 'json' && isCurrent(selection)) return this.cache.send(request, response, 'flows', 'flows');
    const report = await this.queries.flows(selection);
    if (format === 'dot') {
      response.setHeader('Content-Type', 'text/vnd.graphviz; charset=utf-8');
      return flowsAsDot(report);
    }
    if (format === 'mermaid') {
      response.setHeader('Content-Type', 'text/plain; charset=utf-8');
      return flowsAsMermaid(report);
    }
    return reportResponse(response, report, format, FLOWS, 'flows');
  }

  @Get('reports/restatements')
  @ApiOperation({ summary: 'facts that arrived late or reversed others, and the figures they changed, per append' })
  @AsOf
  @KnownAt
  @Format
  @ApiOkResponse({ description: '{ asOf, restatements: [...] }' })
  @ApiProduces('application/json', 'text/csv')
  async restatements(@Req() request: ApiRequest, @Res({ passthrough: true }) response: Response): Promise<unknown> {
    const params = queryParams(request, [...VIEW, 'format']);
    const format = oneOf(params.format, 'format', TABULAR_FORMATS, 'json');
    return reportResponse(response, await this.queries.restatements(selectionOf(params)), format, RESTATEMENTS, 'restatements');
  }
}
