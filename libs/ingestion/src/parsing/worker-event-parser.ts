import type { ParseOutcome } from '@capflow/contracts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EventParser, InThreadEventParser, outcomesOf, ParseVerdict } from './event-parser';

export interface ParseRequest {
  id: number;
  /** The inputs' bytes one after another (a copy, moved to the parsing thread). */
  bytes: ArrayBuffer;
  /** Where each input ends in `bytes`. */
  ends: Uint32Array;
}

export type ParseResponse = { id: number; verdicts: ParseVerdict[] } | { id: number; error: string };

const SCRIPT = join(__dirname, 'event-parse.worker.js');

/**
 * parseEvent's checks on a thread of their own, so that they run beside the decisions and the
 * store's work of the previous batch rather than before them: the deciding thread then only reads
 * the JSON of what was accepted (see outcomesOf). Requests are answered in order. If the thread
 * dies, the batches waiting on it fail (their callers retry them) and the next request starts a
 * new one. Without the compiled script (tests that run the sources) it parses on this thread.
 */
export class WorkerEventParser implements EventParser {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, { worker: Worker; resolve: (verdicts: ParseVerdict[]) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private readonly here = new InThreadEventParser();
  private closed = false;

  /** Whether a parsing thread can be used here (the compiled script exists). */
  static available(): boolean {
    return existsSync(SCRIPT);
  }

  async parse(inputs: readonly (Uint8Array | string)[]): Promise<ParseOutcome[]> {
    // Text is parsed here: turned into bytes it could change (a lone surrogate), and its verdict with it.
    if (this.closed || inputs.length === 0 || !WorkerEventParser.available() || inputs.some((input) => typeof input === 'string')) {
      return this.here.parse(inputs);
    }
    const bytes = inputs as readonly Uint8Array[];
    const ends = new Uint32Array(bytes.length);
    let size = 0;
    for (let index = 0; index < bytes.length; index++) ends[index] = size += bytes[index].byteLength;
    const all = new Uint8Array(size);
    for (let index = 0, at = 0; index < bytes.length; at += bytes[index].byteLength, index++) all.set(bytes[index], at);
    const id = this.nextId++;
    const worker = this.thread();
    const verdicts = new Promise<ParseVerdict[]>((resolve, reject) => this.waiting.set(id, { worker, resolve, reject }));
    worker.ref(); // while it has work, it keeps the process alive
    worker.postMessage({ id, bytes: all.buffer, ends } satisfies ParseRequest, [all.buffer, ends.buffer]);
    return outcomesOf(inputs, await verdicts);
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(SCRIPT);
    worker.on('message', (answer: ParseResponse) => {
      const waiter = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      if (!waiter) return;
      if (![...this.waiting.values()].some((other) => other.worker === worker)) worker.unref(); // idle
      if ('error' in answer) waiter.reject(new Error(`the parsing thread failed: ${answer.error}`));
      else waiter.resolve(answer.verdicts);
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const [id, waiter] of this.waiting) {
        if (waiter.worker !== worker) continue;
        this.waiting.delete(id);
        waiter.reject(error);
      }
    };
    worker.on('error', (error) => fail(new Error(`the parsing thread failed: ${error.message}`)));
    worker.on('exit', (code) => fail(new Error(`the parsing thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}
