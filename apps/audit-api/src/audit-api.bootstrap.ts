import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Response } from 'express';
import helmet from 'helmet';
import type { Server } from 'node:http';
import { Logger } from 'nestjs-pino';
import { AccessLogMiddleware } from './access-log/access-log.middleware';
import { AuditApiConfig } from './audit-api.config';
import { AuditApiModule } from './audit-api.module';
import { AuditApiOptions } from './audit-api.options';
import type { ApiRequest } from './http/api-request';
import { refuseKeysInQuery } from './auth/key-in-query';
import { ApiErrorCode } from './http/api-error';
import { identifyRequest } from './http/request-identity';
import { sendError } from './http/send-error';
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
  // Before Node's own limits (300 s for a request, checked every 30 s): a request must be whole
  // a little after its body's timeout (readBody answers that one with a 408), checked every second
  const server = app.getHttpServer() as Server & { connectionsCheckingInterval: number }; // read at listen
  server.requestTimeout = config.bodyTimeoutMs + 5_000;
  server.headersTimeout = Math.min(config.bodyTimeoutMs, 60_000);
  server.connectionsCheckingInterval = 1_000;
  // Before any route or middleware path is matched, so that every request has the server's id and
  // is logged, even one whose path cannot be decoded (a route-bound middleware never sees that one)
  app.use(identifyRequest);
  const accessLog = app.get(AccessLogMiddleware);
  app.use((request: ApiRequest, response: Response, next: NextFunction) => accessLog.use(request, response, next));
  app.use(refuseKeysInQuery);
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
      // HSTS means something only over HTTPS (RFC 6797 §7.2: not sent over plain HTTP); below
      strictTransportSecurity: false,
    }),
  );
  app.use((request: ApiRequest, response: Response, next: NextFunction) => {
    if (request.secure) response.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  });
  app.use(onlyDocsFiles);
  SwaggerModule.setup('docs', app, () => openApiDocument(app), { jsonDocumentUrl: 'docs/openapi.json', raw: ['json'] });
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

/**
 * What /docs serves: the page, its description and the files the page loads. swagger-ui-dist's
 * directory is served whole by SwaggerModule (its package.json, source maps, other bundles):
 * nothing else under /docs is answered.
 */
const DOCS_FILES = new Set([
  '/docs',
  '/docs/',
  '/docs/openapi.json',
  '/docs/swagger-ui-init.js',
  '/docs/swagger-ui.css',
  '/docs/swagger-ui-bundle.js',
  '/docs/swagger-ui-standalone-preset.js',
  '/docs/favicon-32x32.png',
  '/docs/favicon-16x16.png',
]);

function onlyDocsFiles(request: ApiRequest, response: Response, next: NextFunction): void {
  const path = request.path;
  if ((path !== '/docs' && !path.startsWith('/docs/') && !path.startsWith('/docs-')) || DOCS_FILES.has(path)) return next();
  sendError(request, response, 404, ApiErrorCode.NotFound, 'no such route');
}
