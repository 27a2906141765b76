import { EsdbConflict } from '../esdb/esdb-errors';
import type {
  EsdbAllSubscription,
  EsdbAppendOutcome,
  EsdbExpectedRevision,
  EsdbGateway,
  EsdbPosition,
  EsdbProposedEvent,
  EsdbReadOptions,
  EsdbRecord,
  EsdbResolved,
  EsdbSubscribeOptions,
  EsdbSubscriptionItem,
} from '../esdb/esdb-gateway';

/** An event as the in-memory server keeps it: its bytes, as a real server would. */
interface Kept {
  streamId: string;
  revision: number;
  id: string;
  type: string;
  isJson: boolean;
  data: string;
  metadata: string | null;
  position: EsdbPosition;
}

interface KeptStream {
  /** By revision; null where an event was removed (tampering). */
  events: (Kept | null)[];
  maxCount?: number;
}

/** Filtered-out events between two checkpoints of a filtered subscription (the server's search window is 32). */
const CHECKPOINT_WINDOW = 32;

/**
 * An in-memory EventStoreDB for tests of the adapter without a server: streams with revisions,
 * appends under any / no_stream / stream_exists / an exact revision (with the server's
 * idempotent retry of an exact-revision append), links (`$>`) resolved on read, $all with
 * commit and prepare positions, and filtered catch-up subscriptions with checkpoints. Every
 * call yields to the event loop first, so concurrent writers interleave as they would over a
 * network. `tamper` changes what is stored, as someone with access to the server's files could.
 */
export class InMemoryEsdb {
  private readonly streams = new Map<string, KeptStream>();
  private readonly all: Kept[] = [];
  private readonly listeners = new Set<() => void>();
  private nextCommit = 1000n;

  /** A connection to this server. */
  gateway(target = 'memory:2113'): EsdbGateway {
    return new MemoryGateway(this, target);
  }

  append(stream: string, events: readonly EsdbProposedEvent[], expected: EsdbExpectedRevision): EsdbAppendOutcome {
    const kept = this.streams.get(stream);
    const current = kept ? kept.events.length - 1 : -1;
    const holds =
      expected === 'any' ||
      (expected === 'no_stream' && current === -1) ||
      (expected === 'stream_exists' && current >= 0) ||
      (typeof expected === 'bigint' && BigInt(current) === expected);
    if (!holds) {
      // the server's idempotence: the same events already there right after the expected revision
      if (typeof expected === 'bigint' && kept && events.length > 0) {
        const first = Number(expected) + 1;
        const same = events.every((event, i) => kept.events[first + i]?.id === event.id);
        if (same) return { nextRevision: BigInt(first + events.length - 1) };
      }
      throw new EsdbConflict(stream, BigInt(current));
    }
    const target = kept ?? { events: [] };
    this.streams.set(stream, target);
    let position: EsdbPosition | undefined;
    for (const event of events) {
      this.nextCommit += 10n;
      position = { commit: this.nextCommit, prepare: this.nextCommit - 3n };
      const record: Kept =
        event.kind === 'json'
          ? {
              streamId: stream,
              revision: target.events.length,
              id: event.id,
              type: event.type,
              isJson: true,
              data: JSON.stringify(event.data),
              metadata: event.metadata === undefined ? null : JSON.stringify(event.metadata),
              position,
            }
          : {
              streamId: stream,
              revision: target.events.length,
              id: event.id,
              type: '$>',
              isJson: false,
              data: `${event.targetRevision}@${event.targetStream}`,
              metadata: null,
              position,
            };
      target.events.push(record);
      this.all.push(record);
    }
    for (const listener of this.listeners) listener();
    return { nextRevision: BigInt(target.events.length - 1), position };
  }

  read(stream: string, options: EsdbReadOptions = {}): EsdbResolved[] {
    const kept = this.streams.get(stream);
    if (!kept) return [];
    const last = kept.events.length - 1;
    const oldest = kept.maxCount === undefined ? 0 : Math.max(0, last + 1 - kept.maxCount);
    const from = options.from === undefined || options.from === 'start' ? (options.backwards ? 0 : 0) : options.from === 'end' ? last : Number(options.from);
    const count = options.count ?? Number.MAX_SAFE_INTEGER;
    const resolved: EsdbResolved[] = [];
    const step = options.backwards ? -1 : 1;
    const begin = options.backwards ? Math.min(from, last) : Math.max(from, oldest);
    for (let revision = begin; revision >= oldest && revision <= last && resolved.length < count; revision += step) {
      const record = kept.events[revision];
      if (record) resolved.push(this.resolve(record, options.resolveLinks ?? false));
    }
    return resolved;
  }

  limitStreamLength(stream: string, maxCount: number): void {
    const kept = this.streams.get(stream) ?? { events: [] };
    kept.maxCount = maxCount;
    this.streams.set(stream, kept);
  }

  /** Events of $all after a position (exclusive), for subscriptions. */
  after(position: EsdbPosition | 'start'): Kept[] {
    return position === 'start' ? [...this.all] : this.all.filter((record) => record.position.commit > position.commit);
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  recordOf(kept: Kept): EsdbRecord {
    let data: unknown = kept.data;
    if (kept.isJson) {
      try {
        data = JSON.parse(kept.data);
      } catch {
        data = kept.data; // as the client does with malformed JSON
      }
    } else {
      data = Uint8Array.from(Buffer.from(kept.data, 'utf8'));
    }
    return {
      streamId: kept.streamId,
      revision: BigInt(kept.revision),
      id: kept.id,
      type: kept.type,
      isJson: kept.isJson,
      data,
      metadata: kept.metadata === null ? undefined : JSON.parse(kept.metadata),
      position: kept.position,
    };
  }

  private resolve(record: Kept, resolveLinks: boolean): EsdbResolved {
    if (!resolveLinks || record.type !== '$>') return { event: this.recordOf(record) };
    const match = /^(\d+)@(.+)$/.exec(record.data);
    const target = match ? this.streams.get(match[2])?.events[Number(match[1])] : undefined;
    return { event: target ? this.recordOf(target) : undefined, link: this.recordOf(record) };
  }

  /** Direct changes to stored events, behind the API's back. */
  readonly tamper = {
    /** Rewrites an event's data text (JSON events: the raw bytes, which may no longer parse). */
    editData: (stream: string, revision: number, edit: (text: string) => string) => {
      const record = this.kept(stream, revision);
      record.data = edit(record.data);
    },
    editMetadata: (stream: string, revision: number, edit: (metadata: Record<string, unknown>) => void) => {
      const record = this.kept(stream, revision);
      const metadata = JSON.parse(record.metadata ?? '{}') as Record<string, unknown>;
      edit(metadata);
      record.metadata = JSON.stringify(metadata);
    },
    remove: (stream: string, revision: number) => {
      this.kept(stream, revision);
      this.streams.get(stream)!.events[revision] = null;
    },
    /** Exchanges the contents of two events of a stream (each keeps its revision). */
    swap: (stream: string, a: number, b: number) => {
      const first = this.kept(stream, a);
      const second = this.kept(stream, b);
      for (const key of ['id', 'type', 'isJson', 'data', 'metadata'] as const) {
        const value = first[key];
        (first as unknown as Record<string, unknown>)[key] = second[key];
        (second as unknown as Record<string, unknown>)[key] = value;
      }
    },
    read: (stream: string, revision: number): EsdbRecord => this.recordOf(this.kept(stream, revision)),
  };

  private kept(stream: string, revision: number): Kept {
    const record = this.streams.get(stream)?.events[revision];
    if (!record) throw new Error(`no event ${revision} in ${stream}`);
    return record;
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

class MemoryGateway implements EsdbGateway {
  private closed = false;

  constructor(
    private readonly server: InMemoryEsdb,
    readonly target: string,
  ) {}

  async append(stream: string, events: readonly EsdbProposedEvent[], expected: EsdbExpectedRevision): Promise<EsdbAppendOutcome> {
    await this.ready();
    return this.server.append(stream, events, expected);
  }

  async read(stream: string, options?: EsdbReadOptions): Promise<EsdbResolved[]> {
    await this.ready();
    return this.server.read(stream, options);
  }

  subscribeToAll(options: EsdbSubscribeOptions): EsdbAllSubscription {
    return new MemorySubscription(this.server, options);
  }

  async limitStreamLength(stream: string, maxCount: number): Promise<void> {
    await this.ready();
    this.server.limitStreamLength(stream, maxCount);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private async ready(): Promise<void> {
    await tick();
    if (this.closed) throw new Error('the in-memory gateway is closed');
  }
}

class MemorySubscription implements EsdbAllSubscription {
  private cursor: EsdbPosition | 'start';
  private readonly filter: RegExp;
  private closed = false;
  private wake: (() => void) | null = null;
  private readonly unlisten: () => void;

  constructor(
    private readonly server: InMemoryEsdb,
    private readonly options: EsdbSubscribeOptions,
  ) {
    this.cursor = options.from;
    this.filter = new RegExp(options.streamNameRegex);
    this.unlisten = server.onAppend(() => this.notify());
  }

  buffered(): number {
    return this.server.after(this.cursor).filter((record) => this.filter.test(record.streamId)).length;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<EsdbSubscriptionItem> {
    let skipped = 0;
    while (!this.closed) {
      const next = this.server.after(this.cursor);
      if (next.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      for (const record of next) {
        if (this.closed) return;
        this.cursor = record.position;
        if (this.filter.test(record.streamId)) {
          await tick();
          yield { kind: 'event', event: this.server.recordOf(record) };
        } else if (++skipped >= CHECKPOINT_WINDOW * (this.options.checkpointInterval ?? 1)) {
          skipped = 0;
          yield { kind: 'checkpoint', position: record.position };
        }
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unlisten();
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
