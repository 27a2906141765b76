import { closeSync, existsSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** One request: who, what, when, with what result. Never the key, never a query value. */
export interface AccessEntry {
  time: string;
  /** The server's id for the request (a UUID it made). */
  requestId: string;
  /** The `X-Request-Id` the client sent, if any: what the client calls it, never the server's id. */
  clientRequestId?: string | null;
  /** The key's configured name, or null when none was valid. */
  principal: string | null;
  method: string;
  /** The route's path without the query string (a key in it cut to `cfk_…`). */
  path: string;
  /** The query's parameter names, e.g. ["asOf", "policy"]; a name not shaped like one (a bare key) as "(redacted)". */
  query: string[];
  /** null when no answer was completed: the client went away, or its body never ended. */
  status: number | null;
  aborted?: true;
  ms: number;
  ip: string;
}

/**
 * The append-only access log: one JSON line per request, written with O_APPEND (so concurrent
 * writers never overwrite each other) before the response is counted as done.
 */
export class AccessLog {
  private fd: number;

  constructor(
    readonly path: string,
    private readonly readChunkBytes = 1024 * 1024,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a', 0o600);
  }

  append(entry: AccessEntry): void {
    if (this.fd < 0) return;
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
  }

  /**
   * Entries after the first `after` lines, at most `limit` (oldest first). The file is read in
   * chunks up to the page's end, so a page costs what precedes it, never the whole log in memory.
   */
  read(after: number, limit: number): { entries: AccessEntry[]; next: number | null } {
    if (!existsSync(this.path)) return { entries: [], next: null };
    const entries: AccessEntry[] = [];
    let line = 0;
    for (const text of this.lines()) {
      if (line >= after + limit) return { entries, next: after + entries.length }; // a line follows the page
      if (line >= after) entries.push(JSON.parse(text) as AccessEntry);
      line += 1;
    }
    return { entries, next: null };
  }

  /** The log's non-empty lines, read from the start in chunks. */
  private *lines(): Generator<string> {
    const fd = openSync(this.path, 'r');
    try {
      const chunk = Buffer.allocUnsafe(this.readChunkBytes);
      let pending = Buffer.alloc(0);
      for (;;) {
        const read = readSync(fd, chunk, 0, chunk.length, null);
        const data = read === 0 ? pending : Buffer.concat([pending, chunk.subarray(0, read)]);
        let start = 0;
        for (let end = data.indexOf(0x0a); end >= 0; end = data.indexOf(0x0a, start)) {
          if (end > start) yield data.toString('utf8', start, end);
          start = end + 1;
        }
        if (read === 0) {
          if (start < data.length) yield data.toString('utf8', start); // a last line without its newline
          return;
        }
        pending = Buffer.from(data.subarray(start));
      }
    } finally {
      closeSync(fd);
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
