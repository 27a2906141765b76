import {
  AllStreamSubscription,
  BACKWARDS,
  binaryEvent,
  END,
  EventData,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  JSONType,
  Position,
  ReadRevision,
  RecordedEvent,
  START,
  streamNameFilter,
} from '@eventstore/db-client';
import { EventStoreError, EventStoreErrorCode } from '../event-store.errors';
import { timedOut, translateEsdbError } from './esdb-errors';
import type {
  EsdbAllSubscription,
  EsdbAppendOutcome,
  EsdbExpectedRevision,
  EsdbGateway,
  EsdbProposedEvent,
  EsdbReadOptions,
  EsdbRecord,
  EsdbResolved,
  EsdbSubscribeOptions,
  EsdbSubscriptionItem,
} from './esdb-gateway';
import type { EsdbSettings } from './esdb-url';

/** Once the server has answered, an operation that takes longer than this is reported as a failure. */
const OPERATION_TIMEOUT_MS = 60_000;
/** Subscription items held before the subscription is paused (the handler is behind). */
const HIGH_WATER = 4096;
const LOW_WATER = 1024;

/**
 * The gateway over @eventstore/db-client 6 — the one place capflow talks to EventStoreDB's
 * client (dependency-cruiser keeps the client's import under libs/event-store/src/esdb/).
 *
 * Bounded waiting: until the server has answered once, every call is cut off after the URL's
 * connectTimeout (default 3 s), so a command pointed at no server fails in seconds instead of
 * hanging (a refused connection fails at once; a host that accepts and never answers, or drops
 * packets, would otherwise wait for TCP); after that, after 60 s. Reads have no gRPC deadline in
 * this client, hence capflow's own timer, which cancels the read.
 */
export class EsdbClientGateway implements EsdbGateway {
  private answered = false;
  private used = false;
  private closed = false;

  private constructor(
    private readonly client: EventStoreDBClient,
    private readonly settings: EsdbSettings,
  ) {}

  get target(): string {
    return this.settings.target;
  }

  static connect(settings: EsdbSettings): EsdbClientGateway {
    let client: EventStoreDBClient;
    try {
      client = EventStoreDBClient.connectionString(settings.connectionString);
    } catch (error) {
      throw new EventStoreError(
        EventStoreErrorCode.InvalidStoreUrl,
        `invalid EventStoreDB URL ${JSON.stringify(settings.redacted)}: ${String((error as Error)?.message ?? error).split('\n')[0]}`,
      );
    }
    return new EsdbClientGateway(client, settings);
  }

  async append(stream: string, events: readonly EsdbProposedEvent[], expected: EsdbExpectedRevision): Promise<EsdbAppendOutcome> {
    const data = events.map(eventDataOf);
    return this.call(`appending to ${stream}`, async (deadline) => {
      const result = await this.client.appendToStream(stream, data, { expectedRevision: expected, deadline });
      return { nextRevision: result.nextExpectedRevision, position: result.position };
    });
  }

  async read(stream: string, options: EsdbReadOptions = {}): Promise<EsdbResolved[]> {
    let reading: ReturnType<EventStoreDBClient['readStream']> | undefined;
    return this.call(
      `reading ${stream}`,
      async () => {
        reading = this.client.readStream(stream, {
          fromRevision: readRevisionOf(options.from),
          maxCount: options.count ?? Number.MAX_SAFE_INTEGER,
          direction: options.backwards ? BACKWARDS : FORWARDS,
          resolveLinkTos: options.resolveLinks ?? false,
        });
        const resolved: EsdbResolved[] = [];
        try {
          for await (const item of reading) resolved.push({ event: recordOf(item.event), link: recordOf(item.link) });
        } catch (error) {
          if ((error as { type?: string })?.type === 'stream-not-found') return [];
          throw error;
        }
        return resolved;
      },
      () => void reading?.cancel().catch(() => undefined),
    );
  }

  subscribeToAll(options: EsdbSubscribeOptions): EsdbAllSubscription {
    return new ClientAllSubscription(this.client, options, (error) => translateEsdbError(error, this.target, 'following $all'));
  }

  async limitStreamLength(stream: string, maxCount: number): Promise<void> {
    await this.call(`setting the metadata of ${stream}`, (deadline) => this.client.setStreamMetadata(stream, { maxCount }, { deadline }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.dispose();
    if (!this.used) return;
    // dispose() ends the client's calls but leaves its gRPC channel open, still connecting to a
    // server that does not answer, which would keep the process alive: close the channel too
    // (the client exposes it only to subclasses; bounded, as discovery may be what never answers)
    const channel = (this.client as unknown as { getChannel?: () => Promise<{ close(): void }> }).getChannel?.();
    const closing = channel?.then((c) => c.close()).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closing, new Promise((resolve) => (timer = setTimeout(resolve, 1000).unref()))]);
    clearTimeout(timer);
  }

  /** Runs one operation under capflow's timer, translating any failure. */
  private async call<T>(operation: string, work: (deadline: number) => Promise<T>, cancel?: () => void): Promise<T> {
    if (this.closed) throw new EventStoreError(EventStoreErrorCode.StoreUnavailable, 'the store is closed');
    this.used = true;
    const limit = this.answered ? OPERATION_TIMEOUT_MS : this.settings.connectTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        cancel?.();
        reject(timedOut(this.target, operation, limit));
      }, limit);
    });
    try {
      const result = await Promise.race([work(limit), timeout]);
      this.answered = true;
      return result;
    } catch (error) {
      throw translateEsdbError(error, this.target, operation);
    } finally {
      clearTimeout(timer);
    }
  }
}

function readRevisionOf(from: EsdbReadOptions['from']): ReadRevision {
  if (from === undefined || from === 'start') return START;
  if (from === 'end') return END;
  return from;
}

/** capflow's proposed event → the client's: JSON data as JSON, links as `$>` with "revision@stream". */
export function eventDataOf(event: EsdbProposedEvent): EventData {
  if (event.kind === 'link') {
    return binaryEvent({ id: event.id, type: '$>', data: Buffer.from(`${event.targetRevision}@${event.targetStream}`, 'utf8') });
  }
  return jsonEvent({ id: event.id, type: event.type, data: event.data as JSONType, metadata: event.metadata });
}

export function recordOf(recorded: RecordedEvent | undefined): EsdbRecord | undefined {
  if (!recorded) return undefined;
  return {
    streamId: recorded.streamId,
    revision: recorded.revision,
    id: recorded.id,
    type: recorded.type,
    isJson: recorded.isJson,
    data: recorded.data,
    metadata: recorded.metadata,
    position: recorded.position,
  };
}

/**
 * The client's $all subscription as a queue of events and checkpoints, in the order the server
 * sent them (the client reports checkpoints through a callback, beside its stream of events).
 * Paused while the queue is long, so a slow handler does not make it grow without bound.
 */
class ClientAllSubscription implements EsdbAllSubscription {
  private readonly queue: EsdbSubscriptionItem[] = [];
  private readonly subscription: AllStreamSubscription;
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  private ended = false;

  constructor(client: EventStoreDBClient, options: EsdbSubscribeOptions, translate: (error: unknown) => Error) {
    this.subscription = client.subscribeToAll({
      fromPosition: options.from === 'start' ? START : (options.from as Position),
      filter: streamNameFilter({
        regex: options.streamNameRegex,
        checkpointInterval: options.checkpointInterval ?? 1,
        checkpointReached: (_subscription, position) => this.push({ kind: 'checkpoint', position }),
      }),
    });
    this.subscription.on('data', (resolved) => {
      const event = recordOf(resolved.event);
      if (event) this.push({ kind: 'event', event });
    });
    this.subscription.on('error', (error) => {
      this.failure = translate(error);
      this.notify();
    });
    this.subscription.on('close', () => {
      this.ended = true;
      this.notify();
    });
  }

  buffered(): number {
    return this.queue.length + this.subscription.readableLength;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<EsdbSubscriptionItem> {
    for (;;) {
      const item = this.queue.shift();
      if (item) {
        if (this.queue.length < LOW_WATER && this.subscription.isPaused()) this.subscription.resume();
        yield item;
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async close(): Promise<void> {
    this.ended = true;
    this.notify();
    await this.subscription.unsubscribe().catch(() => undefined);
  }

  private push(item: EsdbSubscriptionItem): void {
    if (this.ended) return;
    this.queue.push(item);
    if (this.queue.length > HIGH_WATER && !this.subscription.isPaused()) this.subscription.pause();
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
