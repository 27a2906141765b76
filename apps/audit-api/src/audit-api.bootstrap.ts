import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AccessLogMiddleware } from './access-log/access-log.middleware';
import { AuditApiConfig } from './audit-api.config';
import { AuditApiModule } from './audit-api.module';
import { AuditApiOptions } from './audit-api.options';
import type { ApiRequest } from './http/api-request';
import { openApiDocument } from './openapi';

export interface RunningAuditApi {
  app: INestApplication;
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  stop(): Promise<void>;
}

/** Creates the audit API's application (not listening): for the process, and for tests. */
export async function createAuditApi(config: AuditApiConfig, options: Partial<AuditApiOptions> = {}): Promise<INestApplication> {
  // No body parser: POST /api/events reads its bytes itself, for the contract's parser and a size limit
  const app = await NestFactory.create(AuditApiModule.forRoot(config, options), { bufferLogs: true, bodyParser: false, abortOnError: false });
  app.useLogger(app.get(Logger));
  const http = app.getHttpAdapter().getInstance() as { disable(setting: string): void; set(setting: string, value: unknown): void };
  http.disable('x-powered-by');
  http.set('query parser', 'simple'); // flat name=value pairs: no nested objects from a query string
  // Before any route or middleware path is matched, so that every request is logged, even one
  // whose path cannot be decoded (a route-bound middleware never sees that one)
  const accessLog = app.get(AccessLogMiddleware);
  app.use((request: ApiRequest, response: Response, next: NextFunction) => accessLog.use(request, response, next));
  // Ledger figures are confidential: a shared cache must never keep them, and a browser asks again
  app.use((request: ApiRequest, response: Response, next: NextFunction) => {
    if (request.path.startsWith('/api/')) response.setHeader('Cache-Control', 'private, no-cache');
    next();
  });
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: null, // served over plain HTTP on a trusted network or behind a TLS proxy
        },
      },
    }),
  );
  SwaggerModule.setup('docs', app, () => openApiDocument(app), { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}

export async function startAuditApi(config: AuditApiConfig, options: Partial<AuditApiOptions> = {}): Promise<RunningAuditApi> {
  const app = await createAuditApi(config, options);
  await app.listen(config.port, config.host);
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  app.get(Logger).log({ msg: 'audit API started', http: url, store: config.redactedStoreUrl, keys: config.keys.length }, 'AuditApi');
  let stopping: Promise<void> | null = null;
  return { app, url, stop: () => (stopping ??= app.close()) };
}
