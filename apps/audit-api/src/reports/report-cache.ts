import { QueryError, QueryErrorCode } from '@capflow/queries';
import type { ProjectionName, ProjectionState, ReadModelStore } from '@capflow/read-models';
import { Inject, Injectable, StreamableFile } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { READ_MODELS } from '../audit-api.tokens';

const gzipped = promisify(gzip);
const JSON_TYPE = 'application/json; charset=utf-8';

/** One representation of a report: its bytes and their ETag. */
export interface ReportBody {
  bytes: Buffer;
  etag: string;
}

/** A current report as it is sent: its JSON (UTF-8), and the same gzipped, made when first asked for. */
export interface CachedReport extends ReportBody {
  gzip(): Promise<ReportBody>;
  /** The document itself, for pages and filters of it; never changed. */
  document: unknown;
}

interface Entry {
  /** The projection's state the document was read at: generation, checkpoint position, content digest. */
  state: string;
  report: Promise<CachedReport | null>;
}

/**
 * The current reports' JSON, ready to send. A read model's document is a large JSON text (about
 * 1.4 MB a report at 1,000,000 facts): reading it, parsing it, serializing it again and hashing
 * it for an ETag on every request is what a busy report cost. Here each document is read and
 * serialized once per state of its projection, and every request is answered with those bytes,
 * gzipped for a client that accepts it, or a 304 for one that holds them already.
 *
 * Never stale: every request first reads the projection's state (its active generation, the
 * position of its checkpoint and the digest of its documents, which the projector writes in the
 * same transaction as the documents) and is answered from the cache only if the bytes were read
 * at that very state. A fact the projector applies moves the checkpoint (and a rebuild switches
 * the generation), so the next request reads the document again. An entry is kept only if the
 * state was the same before and after its document was read, so it is exactly the document of
 * that state (positions and generations only grow, and the digest is of the content: a state
 * never comes back with other content). Concurrent requests for a state not yet cached share one
 * read. One entry per document is held (the latest state asked for).
 */
@Injectable()
export class ReportCache {
  private readonly entries = new Map<string, Entry>();

  constructor(@Inject(READ_MODELS) private readonly readModels: ReadModelStore) {}

  /** Document `name` of `projection` as the read models stand now; null when it has not been built. */
  async current(projection: ProjectionName, name: string): Promise<CachedReport | null> {
    const slot = `${projection}/${name}`;
    const state = stateKey((await this.readModels.states()).get(projection));
    if (state === null) return null;
    const cached = this.entries.get(slot);
    if (cached?.state === state) return cached.report;
    const report = this.read(projection, name);
    const entry: Entry = { state, report };
    this.entries.set(slot, entry);
    const forget = () => {
      if (this.entries.get(slot) === entry) this.entries.delete(slot);
    };
    report
      .then(async (read) => {
        // Kept only if it is the document of `state`: the projector may have moved meanwhile
        if (read === null || stateKey((await this.readModels.states()).get(projection)) !== state) forget();
      }, forget)
      .catch(forget);
    return report;
  }

  /** Document `name` of `projection` as the read models stand now, parsed (not to be changed). */
  async document(projection: ProjectionName, name: string): Promise<unknown> {
    return (await this.ready(projection, name)).document;
  }

  /**
   * Answers a current report: the JSON the command line's --json prints (compact), with its ETag;
   * gzipped if the client accepts it (Vary: Accept-Encoding); 304 without a body if the client's
   * If-None-Match holds the ETag. 503 when the read model has not been built yet.
   */
  async send(request: Request, response: Response, projection: ProjectionName, name: string): Promise<StreamableFile | string> {
    const report = await this.ready(projection, name);
    const gzip = request.acceptsEncodings('gzip', 'identity') === 'gzip';
    const body = gzip ? await report.gzip() : report;
    response.vary('Accept-Encoding');
    response.setHeader('ETag', body.etag);
    if (notModified(request.headers['if-none-match'], body.etag)) {
      response.status(304);
      return '';
    }
    if (gzip) response.setHeader('Content-Encoding', 'gzip');
    response.setHeader('Content-Type', JSON_TYPE);
    return new StreamableFile(body.bytes, { type: JSON_TYPE, length: body.bytes.length });
  }

  private async ready(projection: ProjectionName, name: string): Promise<CachedReport> {
    const report = await this.current(projection, name);
    if (report === null)
      throw new QueryError(QueryErrorCode.NotReady, `the ${projection} read model has not been built yet: the projector has not caught up once`);
    return report;
  }

  private async read(projection: ProjectionName, name: string): Promise<CachedReport | null> {
    const document = await this.readModels.document(projection, name);
    if (document === null) return null;
    const bytes = Buffer.from(JSON.stringify(document), 'utf8');
    const etag = etagOf(bytes);
    let compressed: Promise<ReportBody> | null = null;
    return {
      bytes,
      etag,
      document,
      gzip: () => {
        compressed ??= gzipped(bytes).then((gz) => ({ bytes: gz, etag: `${etag.slice(0, -1)}-gzip"` }));
        compressed.catch(() => (compressed = null));
        return compressed;
      },
    };
  }
}

function stateKey(state: ProjectionState | undefined): string | null {
  return state === undefined ? null : `${state.generation}:${state.position}:${state.digest}`;
}

/** A strong ETag of the bytes themselves. */
function etagOf(bytes: Buffer): string {
  return `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 32)}"`;
}

/** If-None-Match (RFC 9110 §13.1.2): `*`, or a list of entity tags compared weakly. */
function notModified(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
