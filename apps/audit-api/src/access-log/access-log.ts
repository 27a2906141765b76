import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** One request: who, what, when, with what result. Never the key, never a query value. */
export interface AccessEntry {
  time: string;
  requestId: string;
  /** The key's configured name, or null when none was valid. */
  principal: string | null;
  method: string;
  /** The route's path without the query string. */
  path: string;
  /** The query's parameter names, e.g. ["asOf", "policy"]. */
  query: string[];
  status: number;
  ms: number;
  ip: string;
}

/**
 * The append-only access log: one JSON line per request, written with O_APPEND (so concurrent
 * writers never overwrite each other) before the response is counted as done.
 */
export class AccessLog {
  private fd: number;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a', 0o600);
  }

  append(entry: AccessEntry): void {
    if (this.fd < 0) return;
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
  }

  /** Entries after the first `after` lines, at most `limit` (oldest first). */
  read(after: number, limit: number): { entries: AccessEntry[]; next: number | null } {
    if (!existsSync(this.path)) return { entries: [], next: null };
    const lines = readFileSync(this.path, 'utf8').split('\n').filter((line) => line.length > 0);
    const entries = lines.slice(after, after + limit).map((line) => JSON.parse(line) as AccessEntry);
    return { entries, next: after + entries.length < lines.length ? after + entries.length : null };
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
