import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import type { ApiRequest } from '../http/api-request';
import { ApiMetrics } from '../operations/api-metrics.service';
import { AccessLog } from './access-log';

const UNLOGGED = new Set(['/health', '/metrics']);

/** Every request, once answered: one access-log entry (who, what, when, result) and its metrics. */
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
    response.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const path = request.originalUrl.split('?')[0];
      const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
      this.metrics.record(request.method, route, response.statusCode, seconds);
      if (UNLOGGED.has(path) || path.startsWith('/assets/')) return;
      this.accessLog.append({
        time: new Date().toISOString(),
        requestId: String(request.id ?? ''),
        principal: request.principal?.name ?? null,
        method: request.method,
        path: path.slice(0, 512),
        query: Object.keys(request.query ?? {}).slice(0, 32),
        status: response.statusCode,
        ms: Math.round(seconds * 1000),
        ip,
      });
    });
    next();
  }
}
