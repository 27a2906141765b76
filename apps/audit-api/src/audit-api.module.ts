import { EventStore, openEventStore } from '@capflow/event-store';
import { IngestionService } from '@capflow/ingestion';
import { loggingTo } from '@capflow/logging';
import { LedgerQueries } from '@capflow/queries';
import { openReadModelStore, ReadModelStore, ReconciledReadModels } from '@capflow/read-models';
import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';
import { AccessLog } from './access-log/access-log';
import { AccessLogMiddleware } from './access-log/access-log.middleware';
import { AdminController } from './admin/admin.controller';
import { ProjectionAdmin } from './admin/projection-admin.service';
import { AuditApiConfig } from './audit-api.config';
import { AuditApiOptions } from './audit-api.options';
import { EVENT_STORE, READ_MODELS } from './audit-api.tokens';
import { ApiKeyGuard, bearerKeyOf } from './auth/api-key.guard';
import { ApiKeyring } from './auth/api-keyring';
import { EventsController } from './events/events.controller';
import type { ApiRequest } from './http/api-request';
import { ErrorFilter } from './http/error.filter';
import { loggedUrl } from './http/redaction';
import { ApiMetrics } from './operations/api-metrics.service';
import { IntegrityController } from './operations/integrity.controller';
import { OperationsController } from './operations/operations.controller';
import { ReportsController } from './reports/reports.controller';
import { ReportCache } from './reports/report-cache';
import { ViewCache } from './reports/view-cache';
import { WebController } from './web/web.controller';

/** Closes what the module opened, after the projector loop has stopped. */
@Injectable()
class AuditApiResources implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: ReadModelStore,
    private readonly accessLog: AccessLog,
    private readonly projections: ProjectionAdmin,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.projections.onApplicationShutdown();
    await this.readModels.close();
    await this.store.close();
    this.accessLog.close();
  }
}

/**
 * Where a request is counted: a valid key's name, else the caller's address, so guessing keys
 * from one address is limited like any other traffic from it.
 */
function rateLimitTracker(keyring: ApiKeyring): (request: Record<string, unknown>) => Promise<string> {
  return (request) => {
    const { headers, ip } = request as unknown as ApiRequest;
    const key = bearerKeyOf(headers.authorization);
    const principal = key === null ? null : keyring.authenticate(key);
    return Promise.resolve(principal ? `key:${principal.name}` : `ip:${ip}`);
  };
}

/** The audit API: reports, the audit trail, appends, integrity, admin, the page, /health and /metrics. */
@Module({})
export class AuditApiModule {
  // The access log is applied to every request by createAuditApi, before any route is matched
  static forRoot(config: AuditApiConfig, options: Partial<AuditApiOptions> = {}): DynamicModule {
    const keyring = new ApiKeyring(config.keys);
    return {
      module: AuditApiModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: loggingTo(process.stdout, {
            level: config.logLevel,
            base: { service: 'capflow-audit-api' },
            // identifyRequest, the first middleware, gave every request the server's own id
            genReqId: (request) => (request as ApiRequest).id ?? randomUUID(),
            // Called when the request starts and again when it is answered (pino-http adds both unless
            // equal): only what is known, so a line never holds "principal" twice (null, then the name)
            customProps: (request) => {
              const { principal, clientRequestId } = request as ApiRequest;
              return { ...(principal ? { principal: principal.name } : {}), ...(clientRequestId ? { clientRequestId } : {}) };
            },
            // Never a key: the header is dropped, and a URL is logged redacted, its query by names only
            serializers: {
              req: (request: { id: string; method: string; url: string }) => ({ id: request.id, method: request.method, url: loggedUrl(request.url) }),
            },
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            autoLogging: { ignore: (request) => request.url === '/metrics' || request.url === '/health' },
          }),
        }),
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: 60_000, limit: config.rateLimitPerMinute }],
          getTracker: rateLimitTracker(keyring),
          // one count per key (or address) across every route; the default counts each route apart
          generateKey: (_context, tracker, name) => `${name}:${tracker}`,
        }),
      ],
      controllers: [ReportsController, EventsController, IntegrityController, AdminController, OperationsController, WebController],
      providers: [
        { provide: AuditApiConfig, useValue: config },
        { provide: AuditApiOptions, useValue: Object.assign(new AuditApiOptions(), options) },
        { provide: ApiKeyring, useValue: keyring },
        { provide: AccessLog, useFactory: () => new AccessLog(config.accessLogPath) },
        { provide: EVENT_STORE, useFactory: () => openEventStore(config.storeUrl) },
        // every read is of content that matches its digest (else 503 read_model_unreconciled); /health names it
        { provide: ReconciledReadModels, useFactory: async () => new ReconciledReadModels(await openReadModelStore(config.storeUrl)) },
        { provide: READ_MODELS, useExisting: ReconciledReadModels },
        {
          provide: LedgerQueries,
          inject: [EVENT_STORE, READ_MODELS],
          useFactory: (store: EventStore, readModels: ReadModelStore) => new LedgerQueries(store, readModels, { view: new ViewCache().view }),
        },
        { provide: IngestionService, inject: [EVENT_STORE], useFactory: (store: EventStore) => new IngestionService(store) },
        ReportCache,
        ApiMetrics,
        ProjectionAdmin,
        AccessLogMiddleware,
        AuditApiResources,
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
    };
  }
}
