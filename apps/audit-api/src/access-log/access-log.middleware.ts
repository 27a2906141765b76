import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import type { ApiRequest } from '../http/api-request';
import { loggedParameterName, redactedPath } from '../http/redaction';
import { ApiMetrics } from '../operations/api-metrics.service';
import { AccessLog } from './access-log';

/**
 * Every request, whatever its path (the API, the page and its assets, /docs, /health, /metrics,
 * a path that cannot be decoded), once it is over: one access-log entry (who, what, when, result)
 * and its metrics. "Over" is the response's close, so a request the client abandoned, or whose
 * body never ended, is logged too (status null, aborted).
 */
@Injectable()
export class AccessLogMiddleware implements NestMiddleware {
  constructor(
    private readonly accessLog: AccessLog,
    private readonly metrics: ApiMetrics,
  ) {}

  use(request: ApiRequest, response: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    // Read now: once the client is gone the socket is too, and express's request.ip throws
    const ip = request.ip ?? '';
    response.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const answered = response.writableFinished;
      const path = request.originalUrl.split('?')[0];
      const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
      if (answered) this.metrics.record(request.method, route, response.statusCode, seconds);
      this.accessLog.append({
        time: new Date().toISOString(),
        requestId: String(request.id ?? ''),
        clientRequestId: request.clientRequestId ?? null,
        principal: request.principal?.name ?? null,
        method: request.method,
        path: redactedPath(path).slice(0, 512),
        query: Object.keys(request.query ?? {}).slice(0, 32).map(loggedParameterName),
        status: answered ? response.statusCode : null,
        ...(answered ? {} : { aborted: true }),
        ms: Math.round(seconds * 1000),
        ip,
      });
    });
    next();
  }
}
