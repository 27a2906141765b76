import { IDENTIFIER_PATTERN } from '@capflow/contracts';
import {
  BALANCE_FILTERS,
  balanceRows,
  BALANCES,
  BALANCES_SERIES,
  CIRCULAR_REVENUE,
  COMMITMENTS,
  DEAL_LINKS,
  CREDITS,
  FLOWS,
  flowsAsDot,
  flowsAsMermaid,
  isCurrent,
  isWhole,
  LedgerQueries,
  MAX_PAGE_ROWS,
  RESTATEMENTS,
  ROUND_TRIP_FILTERS,
  ROUND_TRIPS,
  ROUND_TRIPS_SERIES,
  roundTripRows,
  rowsRequestOf,
  selectionOf,
  SeriesSelection,
  seriesSelectionOf,
  seriesRows,
  TRACE,
} from '@capflow/queries';
import { DEFAULT_WINDOW_DAYS, MAX_SERIES_POINTS, MAX_WINDOW_DAYS, REVENUE_PERIODS } from '@capflow/projections';
import type { BalancesReport, RoundTripsReport } from '@capflow/projections';
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles } from '../auth/roles.decorator';
import type { ApiRequest } from '../http/api-request';
import { invalid, oneOf, queryParams, wholeNumber } from '../http/query-params';
import { ReportCache } from './report-cache';
import { reportResponse, TABULAR_FORMATS } from './report-response';

const VIEW = ['asOf', 'knownAt'] as const;

const AsOf = ApiQuery({ name: 'asOf', required: false, description: 'business time: facts that occurred up to then (RFC 3339, or a date: its end)', example: '2025-12-31' });
const KnownAt = ApiQuery({ name: 'knownAt', required: false, description: 'ledger time: the ledger as it stood then (RFC 3339, or a date: its end)' });
const Limit = ApiQuery({
  name: 'limit',
  required: false,
  description: `a page of at most this many rows (1 to ${MAX_PAGE_ROWS}); the answer's \`next\` is the cursor of the page after it, null on the last`,
});
const After = ApiQuery({ name: 'after', required: false, description: "the rows after this key: a page's `next` (rows are in code-point order of their key)" });
const Currency = ApiQuery({ name: 'currency', required: false, description: 'only this currency (ISO 4217 code, e.g. USD)' });
const ROWS_NAMES = { limit: 'limit', after: 'after', investorGroup: 'investorGroup', investeeId: 'investeeId', currency: 'currency', partyId: 'partyId', group: 'group' };

const SERIES = ['series', 'from', 'to'] as const;
const SERIES_NAMES = { series: 'series', from: 'from', to: 'to', asOf: 'asOf', knownAt: 'knownAt' };
const Series = ApiQuery({
  name: 'series',
  required: false,
  enum: REVENUE_PERIODS,
  description: `the report as of the end of each period (TRACING.md 1.1), at most ${MAX_SERIES_POINTS} points: \`{series, points: [{asOf, …rows}]}\`; not with asOf, limit or after`,
});
const From = ApiQuery({ name: 'from', required: false, description: "with series: the first period is the one this date falls in (default: the first fact's)" });
const To = ApiQuery({ name: 'to', required: false, description: "with series: the last period is the one this date falls in (default: the last fact's)" });

/** The series the parameters name, or null without `series` (`from` and `to` need it). */
function seriesIn(params: Partial<Record<'series' | 'from' | 'to' | 'asOf' | 'knownAt', string>>): SeriesSelection | null {
  if (params.series === undefined) {
    if (params.from !== undefined || params.to !== undefined) throw invalid(`${params.from !== undefined ? 'from' : 'to'} goes with series`);
    return null;
  }
  return seriesSelectionOf({ series: params.series, from: params.from, to: params.to, asOf: params.asOf, knownAt: params.knownAt }, SERIES_NAMES);
}

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
  @ApiOperation({ summary: "every party's postings per account and currency, with the trial balance (EVENTS.md); parties keyed by partyId" })
  @AsOf
  @KnownAt
  @Format
  @Limit
  @After
  @ApiQuery({ name: 'partyId', required: false, description: 'only this party' })
  @ApiQuery({ name: 'group', required: false, description: "only the parties of this group (a party's group, EVENTS.md)" })
  @Currency
  @Series
  @From
  @To
  @ApiProduces('application/json', 'text/csv')
  async balances(@Req() request: ApiRequest, @Res({ passthrough: true }) response: Response): Promise<unknown> {
    const params = queryParams(request, [...VIEW, 'format', 'limit', 'after', ...BALANCE_FILTERS, ...SERIES]);
    const format = oneOf(params.format, 'format', TABULAR_FORMATS, 'json');
    const rows = rowsRequestOf(params, BALANCE_FILTERS, ROWS_NAMES);
    const series = seriesIn(params);
    if (series) {
      const points = await this.queries.balancesSeries(series);
      const answer = seriesRows(points, rows, ROWS_NAMES, (point) => ({ ...point, parties: balanceRows(point, rows).parties }));
      return reportResponse(response, answer, format, BALANCES_SERIES, `balances-${series.period}`);
    }
    const selection = selectionOf(params);
    const current = isCurrent(selection);
    if (format === 'json' && current && isWhole(rows)) return this.cache.send(request, response, 'balances', 'balances');
    const report = current ? ((await this.cache.document('balances', 'balances')) as BalancesReport) : await this.queries.balances(selection);
    return reportResponse(response, balanceRows(report, rows), format, BALANCES, 'balances');
  }

  @Get('reports/round-trips')
  @ApiOperation({ summary: "how much of each investment came back to its investor's group (TRACING.md)" })
  @ApiQuery({ name: 'policy', required: true, enum: ['fifo', 'pro_rata'] })
  @AsOf
  @KnownAt
  @Format
  @Limit
  @After
  @ApiQuery({ name: 'investorGroup', required: false, description: "only the investments of this investor group" })
  @ApiQuery({ name: 'investeeId', required: false, description: 'only the investments in this investee' })
  @Currency
  @Series
  @From
  @To
  @ApiProduces('application/json', 'text/csv')
  async roundTrips(@Req() request: ApiRequest, @Res({ passthrough: true }) response: Response): Promise<unknown> {
    const params = queryParams(request, [...VIEW, 'policy', 'format', 'limit', 'after', ...ROUND_TRIP_FILTERS, ...SERIES]);
    const policy = oneOf(params.policy, 'policy', ['fifo', 'pro_rata'] as const);
    const format = oneOf(params.format, 'format', TABULAR_FORMATS, 'json');
    const rows = rowsRequestOf(params, ROUND_TRIP_FILTERS, ROWS_NAMES);
    const series = seriesIn(params);
    if (series) {
      const points = await this.queries.roundTripsSeries(policy, series);
      const answer = seriesRows(points, rows, ROWS_NAMES, (point) => ({ ...point, investments: roundTripRows({ policy, ...point }, rows).investments }));
      return reportResponse(response, answer, format, ROUND_TRIPS_SERIES, `round-trips-${policy}-${series.period}`);
    }
    const selection = selectionOf(params);
    const current = isCurrent(selection);
    if (format === 'json' && current && isWhole(rows)) return this.cache.send(request, response, 'round-trips', policy);
    const report = current ? ((await this.cache.document('round-trips', policy)) as RoundTripsReport) : await this.queries.roundTrips(policy, selection);
    return reportResponse(response, roundTripRows(report, rows), format, ROUND_TRIPS, `round-trips-${policy}`);
  }

  @Get('reports/circular-revenue')
  @ApiOperation({
    summary:
      'of the revenue each provider group received from each customer group, per period, how much was its own investment coming back (TRACING.md 1.1)',
  })
  @ApiQuery({ name: 'policy', required: true, enum: ['fifo', 'pro_rata'] })
  @ApiQuery({ name: 'period', required: false, enum: REVENUE_PERIODS, description: 'the UTC month, quarter (default) or year of each arrival' })
  @AsOf
  @KnownAt
  @Format
  @ApiProduces('application/json', 'text/csv')
  async circularRevenue(@Req() request: ApiRequest, @Res({ passthrough: true }) response: Response): Promise<unknown> {
    const params = queryParams(request, [...VIEW, 'policy', 'period', 'format']);
    const policy = oneOf(params.policy, 'policy', ['fifo', 'pro_rata'] as const);
    const period = oneOf(params.period, 'period', REVENUE_PERIODS, 'quarter');
    const format = oneOf(params.format, 'format', TABULAR_FORMATS, 'json');
    const report = await this.queries.circularRevenue(policy, period, selectionOf(params));
    return reportResponse(response, report, format, CIRCULAR_REVENUE, `circular-revenue-${policy}`);
  }

  @Get('reports/deal-links')
  @ApiOperation({ summary: "investments with the investee's compute commitments to the investor group signed within a window of days (TRACING.md 1.1)" })
  @ApiQuery({
    name: 'windowDays',
    required: false,
    description: `days before and after each investment's InvestmentCommitted, both ends included: 0 to ${MAX_WINDOW_DAYS} (default ${DEFAULT_WINDOW_DAYS})`,
  })
  @AsOf
  @KnownAt
  @Format
  @ApiProduces('application/json', 'text/csv')
  async dealLinks(@Req() request: ApiRequest, @Res({ passthrough: true }) response: Response): Promise<unknown> {
    const params = queryParams(request, [...VIEW, 'windowDays', 'format']);
    const windowDays = wholeNumber(params.windowDays, 'windowDays', DEFAULT_WINDOW_DAYS, 0, MAX_WINDOW_DAYS);
    const format = oneOf(params.format, 'format', TABULAR_FORMATS, 'json');
    return reportResponse(response, await this.queries.dealLinks(windowDays, selectionOf(params)), format, DEAL_LINKS, 'deal-links');
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
