import { EVENT_ID_PATTERN, RejectionCode } from '@capflow/contracts';
import type { EventFilter } from '@capflow/event-store';
import { IngestionService, IngestOutcome, LineSplitter } from '@capflow/ingestion';
import { AuditRecord, LedgerQueries, streamFilter, timeBound, toCsv, typeFilter } from '@capflow/queries';
import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AuditApiConfig } from '../audit-api.config';
import { Roles } from '../auth/roles.decorator';
import { ApiError, ApiErrorCode } from '../http/api-error';
import type { ApiRequest } from '../http/api-request';
import { invalid, oneOf, queryParams, wholeNumber } from '../http/query-params';
import { readBody } from './request-body';

const FILTERS = ['stream', 'type', 'occurredFrom', 'occurredTo', 'recordedFrom', 'recordedTo', 'after', 'limit', 'format'] as const;

/** The audit trail (read), and facts appended through the same ingestion use case as `capflow import`. */
@ApiTags('events')
@ApiBearerAuth()
@Controller('api/events')
export class EventsController {
  constructor(
    private readonly queries: LedgerQueries,
    private readonly ingestion: IngestionService,
    private readonly config: AuditApiConfig,
  ) {}

  @Get()
  @Roles('auditor', 'admin')
  @ApiOperation({ summary: 'the audit trail, oldest first, a page at a time: `next` is the `after` of the next page' })
  @ApiQuery({ name: 'stream', required: false, example: 'investment-amzn-oai' })
  @ApiQuery({ name: 'type', required: false, example: 'InvestmentFunded' })
  @ApiQuery({ name: 'occurredFrom', required: false, description: 'business time from (RFC 3339, or a date: its start)' })
  @ApiQuery({ name: 'occurredTo', required: false, description: 'business time up to, inclusive (a date: its end)' })
  @ApiQuery({ name: 'recordedFrom', required: false, description: 'ledger time from' })
  @ApiQuery({ name: 'recordedTo', required: false, description: 'ledger time up to, inclusive' })
  @ApiQuery({ name: 'after', required: false, description: 'only positions after this one (the cursor)' })
  @ApiQuery({ name: 'limit', required: false, description: '1–1000, default 100' })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  async list(@Req() request: ApiRequest, @Res({ passthrough: true }) response: Response): Promise<unknown> {
    const params = queryParams(request, FILTERS);
    const filter = filterOf(params);
    const after = wholeNumber(params.after, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = wholeNumber(params.limit, 'limit', 100, 1, 1000);
    const format = oneOf(params.format, 'format', ['json', 'csv'] as const, 'json');
    const events = await this.queries.events(filter, { after, limit });
    const next = events.length === limit ? events[events.length - 1].position : null;
    if (format === 'csv') {
      response.setHeader('Content-Type', 'text/csv; charset=utf-8');
      response.setHeader('Content-Disposition', 'attachment; filename="events.csv"');
      if (next !== null) response.setHeader('X-Capflow-Next', String(next));
      // position and amount are exact; every other column is text (a source is anyone's words)
      return toCsv(['position', 'recordedAt', 'occurredAt', 'type', 'streamId', 'eventId', 'amount', 'currency', 'source', 'hash'], events.map(csvRowOf), [0, 6]);
    }
    return { events, next: next === null ? null : String(next) };
  }

  @Get(':eventId')
  @Roles('auditor', 'admin')
  @ApiOperation({ summary: 'one stored fact: stream, position, occurredAt, recordedAt, hash, source, provenance (file and line, or Kafka coordinates)' })
  @ApiParam({ name: 'eventId', description: 'a UUID' })
  async one(@Param('eventId') eventId: string, @Req() request: ApiRequest): Promise<AuditRecord> {
    queryParams(request, []);
    if (!EVENT_ID_PATTERN.test(eventId)) throw invalid(`eventId ${JSON.stringify(eventId.slice(0, 64))} is not a UUID`);
    return this.queries.event(eventId);
  }

  @Post()
  @Roles('ingest') // least privilege: an admin key reads and rebuilds, it does not write facts
  @HttpCode(200)
  @ApiOperation({
    summary: 'append facts: one envelope (application/json), or a batch (application/x-ndjson, one envelope per line, stored whole or not at all)',
    description:
      'One envelope: 201 accepted, 200 duplicate (already stored, nothing written), 422 refused by a ledger rule or 400 malformed, with the contract\'s code. ' +
      'A batch: 200 with `capflow import --json`\'s summary and one result per line.',
  })
  @ApiConsumes('application/json', 'application/x-ndjson')
  @ApiBody({ description: 'an envelope (EVENTS.md), or NDJSON', schema: { type: 'object' } })
  @ApiResponse({ status: 201, description: 'accepted' })
  @ApiResponse({ status: 422, description: 'refused: { statusCode, code (the contract\'s rejection code), detail, eventId }' })
  async append(@Req() request: ApiRequest, @Res({ passthrough: true }) response: Response): Promise<unknown> {
    queryParams(request, []);
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json' && type !== 'application/x-ndjson')
      throw new ApiError(415, ApiErrorCode.UnsupportedMediaType, 'send one envelope as application/json, or a batch as application/x-ndjson');
    const body = await readBody(request, this.config.maxBodyBytes, this.config.bodyTimeoutMs);
    // the server's own id names the request; an id the client chose is kept apart, as the client's
    const provenance = {
      requestId: String(request.id),
      ...(request.clientRequestId === undefined ? {} : { clientRequestId: request.clientRequestId }),
      key: request.principal?.name ?? null,
    };
    if (type === 'application/json') {
      const [outcome] = await this.ingestion.ingest([{ input: body, metadata: { http: provenance } }]);
      return single(outcome, response);
    }
    const splitter = new LineSplitter(Number.MAX_SAFE_INTEGER);
    const lines = [...splitter.push(body), ...splitter.end()];
    if (lines.length === 0) throw invalid('the batch holds no facts');
    const outcomes = await this.ingestion.ingest(lines.map((line) => ({ input: line.bytes, metadata: { http: { ...provenance, line: line.number } } })));
    return batchSummary(outcomes, lines.map((line) => line.number));
  }
}

function single(outcome: IngestOutcome, response: Response): unknown {
  if (outcome.status === 'accepted') {
    response.status(201);
    return outcome;
  }
  if (outcome.status === 'duplicate') return outcome;
  const status = outcome.reason === RejectionCode.MalformedJson ? 400 : 422;
  throw new ApiError(status, outcome.reason, outcome.detail, { eventId: outcome.eventId });
}

function batchSummary(outcomes: IngestOutcome[], lineNumbers: number[]) {
  const count = (status: IngestOutcome['status']) => outcomes.filter((outcome) => outcome.status === status).length;
  return {
    accepted: count('accepted'),
    duplicates: count('duplicate'),
    rejected: outcomes.flatMap((outcome, index) =>
      outcome.status === 'rejected' ? [{ line: lineNumbers[index], eventId: outcome.eventId, reason: outcome.reason, detail: outcome.detail }] : [],
    ),
    results: outcomes.map((outcome, index) => ({ line: lineNumbers[index], ...outcome })),
  };
}

function filterOf(params: Partial<Record<(typeof FILTERS)[number], string>>): EventFilter {
  const bound = (value: string | undefined, name: string, side: 'start' | 'end', form: 'instant' | 'iso') =>
    value === undefined ? undefined : timeBound(value, name, side, form);
  return {
    streamId: params.stream === undefined ? undefined : streamFilter(params.stream, 'stream'),
    type: params.type === undefined ? undefined : typeFilter(params.type, 'type'),
    occurredFrom: bound(params.occurredFrom, 'occurredFrom', 'start', 'instant'),
    occurredTo: bound(params.occurredTo, 'occurredTo', 'end', 'instant'),
    recordedFrom: bound(params.recordedFrom, 'recordedFrom', 'start', 'iso'),
    recordedTo: bound(params.recordedTo, 'recordedTo', 'end', 'iso'),
  };
}

function csvRowOf(event: AuditRecord): string[] {
  const amount = event.data.amount as { amount?: string; currency?: string } | undefined;
  return [String(event.position), event.recordedAt, event.occurredAt, event.type, event.streamId, event.eventId, amount?.amount ?? '', amount?.currency ?? '', event.source, event.hash];
}
