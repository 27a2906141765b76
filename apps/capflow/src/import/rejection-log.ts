import { appendFileSync, mkdtempSync, rmSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface RejectedLine {
  line: number;
  eventId: string | null;
  reason: string;
  detail: string;
}

/**
 * The rejected lines of an import, in line order. The first `memoryLimit` stay in memory; past
 * that they spill to a temporary file, so a file of a million bad lines is never held whole.
 */
export class RejectionLog {
  private readonly head: RejectedLine[] = [];
  private spillFile: string | null = null;
  private spillBuffer: string[] = [];
  count = 0;

  constructor(private readonly memoryLimit = 10000) {}

  add(entry: RejectedLine): void {
    this.count += 1;
    if (this.head.length < this.memoryLimit) {
      this.head.push(entry);
      return;
    }
    this.spillBuffer.push(JSON.stringify(entry));
    if (this.spillBuffer.length >= 1000) this.flush();
  }

  /** What crosses to another thread: the entries kept in memory, and where the rest spilled. */
  handOver(): { head: RejectedLine[]; spillFile: string | null; count: number } {
    this.flush();
    return { head: this.head, spillFile: this.spillFile, count: this.count };
  }

  static takeOver(parts: { head: RejectedLine[]; spillFile: string | null; count: number }): RejectionLog {
    const log = new RejectionLog();
    log.head.push(...parts.head);
    log.spillFile = parts.spillFile;
    log.count = parts.count;
    return log;
  }

  /** The first entries, for a summary on screen. */
  first(n: number): RejectedLine[] {
    return this.head.slice(0, n);
  }

  async *entries(): AsyncGenerator<RejectedLine> {
    yield* this.head;
    this.flush();
    if (!this.spillFile) return;
    const lines = createInterface({ input: createReadStream(this.spillFile), crlfDelay: Infinity });
    for await (const line of lines) yield JSON.parse(line) as RejectedLine;
  }

  dispose(): void {
    if (this.spillFile) rmSync(join(this.spillFile, '..'), { recursive: true, force: true });
    this.spillFile = null;
  }

  private flush(): void {
    if (this.spillBuffer.length === 0) return;
    this.spillFile ??= join(mkdtempSync(join(tmpdir(), 'capflow-rejections-')), 'rejected.ndjson');
    appendFileSync(this.spillFile, `${this.spillBuffer.join('\n')}\n`);
    this.spillBuffer = [];
  }
}
