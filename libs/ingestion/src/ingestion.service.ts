import { canonicalJson, CapflowEvent, eventKey, instantKey, ParseOutcome, RejectionCode } from '@capflow/contracts';
import type { AppendSession, EventStore, StoredEvent, StreamAppend } from '@capflow/event-store';
import { AcceptedEvent, decide, evolve, invoiceStateOf, invoiceStreamId, LedgerState, paymentStreamId } from '@capflow/ledger';
import { IngestItem, IngestOutcome } from './ingest-outcome';
import { KnownKeys } from './known-keys';
import { applyStoredEvents, capflowEventOf } from './ledger-state.loader';
import { EventParser, InThreadEventParser } from './parsing/event-parser';

const CATCH_UP_PAGE = 5000;
/** How many invoices and paymentIds the decision state keeps between batches (see LedgerState). */
const DEFAULT_WINDOW = { invoices: 100_000, payments: 100_000 };

export interface IngestionOptions {
  window?: { invoices: number; payments: number };
  /** How raw facts are parsed (default: on this thread). */
  parser?: EventParser;
}

interface PendingEvent {
  event: CapflowEvent;
  streamId: string;
  /** Index of its outcome in the batch; its position is known once appended. */
  index: number;
}

/**
 * The one ingestion use case behind every entry point (file import, Kafka, HTTP):
 * bytes → parse → dedup → decide against current state → append, one batch per transaction.
 *
 * The decision state lives in memory, rebuilt from the store on first use and caught up with
 * whatever other writers appended, inside the store's append lock, before each batch: so every
 * process decides exactly as a single one would, and a restarted process as the first did.
 */
export class IngestionService {
  private state: LedgerState | null = null;
  private position = 0;
  /** Every stored eventId and stream id, as "certainly not stored" / "perhaps": see KnownKeys. */
  private eventKeys = new KnownKeys();
  private streamKeys = new KnownKeys();
  private queue: Promise<unknown> = Promise.resolve();

  private readonly window: { invoices: number; payments: number };
  private readonly parser: EventParser;

  constructor(
    private readonly store: EventStore,
    options: IngestionOptions = {},
  ) {
    this.window = options.window ?? DEFAULT_WINDOW;
    this.parser = options.parser ?? new InThreadEventParser();
  }

  /** Rebuilds the decision state now rather than on the first batch. */
  async warmUp(onProgress?: (position: number) => void): Promise<void> {
    await this.serialised(async () => {
      if (this.state) return;
      const state = new LedgerState();
      this.eventKeys = new KnownKeys();
      this.streamKeys = new KnownKeys();
      let position = 0;
      for (;;) {
        const events = await this.store.readAll({ after: position, limit: CATCH_UP_PAGE });
        if (events.length === 0) break;
        await applyStoredEvents(state, events, (ids) => this.store.findEvents(ids));
        this.remember(events);
        state.trim(this.window);
        position = events[events.length - 1].position;
        onProgress?.(position);
      }
      this.state = state;
      this.position = position;
    });
  }

  /**
   * Ingests a batch in one transaction: every outcome, in input order. `before`, if given, runs in
   * the batch's turn, before anything is read or decided; if it rejects, so does the batch, having
   * touched nothing (the Kafka ingestion uses it so that a partition's batch is not decided when
   * the partition's previous batch failed).
   */
  async ingest(items: readonly IngestItem[], options: { before?: () => Promise<void> } = {}): Promise<IngestOutcome[]> {
    // CPU work outside the lock: on a parsing thread, beside the batch before this one, if there is one
    const parsing = Promise.resolve(this.parser.parse(items.map((item) => item.input)));
    parsing.catch(() => undefined); // awaited in the batch's turn
    const { before } = options;
    let refused = false;
    const refuse = (error: unknown) => ((refused = true), Promise.reject(error));
    if (!this.state) await this.warmUp();
    return this.serialised(async () => {
      const parsed = await parsing.catch(refuse);
      if (before) await before().catch(refuse);
      return this.store.withAppendLock(async (session) => {
        try {
          return await this.decideAndAppend(session, items, parsed);
        } catch (error) {
          this.state = null; // it may hold effects of a batch that did not commit: rebuild it
          throw error;
        }
      });
    }).catch((error: unknown) => {
      if (!refused) this.state = null; // a failed commit leaves the same doubt
      throw error;
    });
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async decideAndAppend(session: AppendSession, items: readonly IngestItem[], parsed: ParseOutcome[]) {
    if (!this.state) {
      this.state = new LedgerState();
      this.position = 0;
      this.eventKeys = new KnownKeys();
      this.streamKeys = new KnownKeys();
    }
    const state = this.state;
    await this.catchUp(session, state);

    const accepted = parsed.flatMap((outcome) => (outcome.ok ? [outcome.event] : []));
    const stored = new Map<string, StoredEvent>();
    const perhapsStored = accepted.map((event) => eventKey(event.eventId)).filter((key) => this.eventKeys.mightContain(key));
    for (const event of await session.findEvents(perhapsStored)) stored.set(event.eventId, event);
    const targetIds = accepted.flatMap((event) =>
      event.type === 'EventReversed' && !stored.has(eventKey(event.data.reversedEventId)) ? [event.data.reversedEventId] : [],
    );
    for (const event of await session.findEvents(targetIds)) stored.set(event.eventId, event);
    const knownVersions = await loadWindow(session, state, accepted, this.streamKeys);

    const pending = new Map<string, PendingEvent>();
    const findAccepted = (key: string): AcceptedEvent | undefined => {
      const inBatch = pending.get(key);
      if (inBatch) return inBatch;
      const found = stored.get(key);
      return found ? { event: capflowEventOf(found), streamId: found.streamId } : undefined;
    };

    const outcomes: IngestOutcome[] = new Array(items.length);
    /** In-batch duplicates → the index of their first occurrence, whose position comes with the append. */
    const duplicateOf = new Map<number, number>();
    const appends: StreamAppend[] = [];
    parsed.forEach((outcome, index) => {
      if (!outcome.ok) {
        outcomes[index] = { status: 'rejected', eventId: outcome.eventId, ...outcome.rejection };
        return;
      }
      const { event } = outcome;
      const key = eventKey(event.eventId);
      const earlier = pending.get(key);
      const known = earlier?.event ?? (stored.has(key) ? capflowEventOf(stored.get(key)!) : undefined);
      if (known) {
        if (!sameContent(event, known)) {
          outcomes[index] = {
            status: 'rejected',
            eventId: event.eventId,
            reason: RejectionCode.EventIdConflict,
            detail: `eventId ${event.eventId} was already accepted with other content`,
          };
        } else if (earlier) {
          outcomes[index] = { status: 'duplicate', eventId: event.eventId, position: 0 };
          duplicateOf.set(index, earlier.index);
        } else {
          outcomes[index] = { status: 'duplicate', eventId: event.eventId, position: stored.get(key)!.position };
        }
        return;
      }
      const decision = decide(state, event, { occurredAt: instantKey(event.occurredAt), findAccepted });
      if (!decision.accepted) {
        outcomes[index] = { status: 'rejected', eventId: event.eventId, ...decision.rejection };
        return;
      }
      evolve(state, event, event.type === 'EventReversed' ? findAccepted(eventKey(event.data.reversedEventId))!.event : undefined);
      pending.set(key, { event, streamId: decision.streamId, index });
      appends.push({
        streamId: decision.streamId,
        events: [
          {
            eventId: event.eventId,
            type: event.type,
            schemaVersion: 1,
            occurredAt: event.occurredAt,
            source: event.source,
            data: event.data as unknown as Record<string, unknown>,
            metadata: items[index].metadata,
          },
        ],
      });
      outcomes[index] = { status: 'accepted', eventId: event.eventId, position: 0 };
    });

    if (appends.length > 0) {
      const result = await session.append(appends, { eventIdsChecked: true, knownVersions });
      for (const append of appends) {
        this.eventKeys.add(eventKey(append.events[0].eventId));
        this.streamKeys.add(append.streamId);
      }
      let next = 0;
      outcomes.forEach((outcome, index) => {
        if (outcome.status === 'accepted') outcomes[index] = { ...outcome, position: result.events[next++].position };
      });
      this.position = result.headPosition;
    }
    for (const [index, first] of duplicateOf) {
      outcomes[index] = { ...outcomes[index], position: (outcomes[first] as { position: number }).position } as IngestOutcome;
    }
    state.trim(this.window);
    return outcomes;
  }

  /** Applies what other writers appended since this process last looked. */
  private async catchUp(session: AppendSession, state: LedgerState): Promise<void> {
    for (;;) {
      const events = await session.readAll({ after: this.position, limit: CATCH_UP_PAGE });
      if (events.length === 0) return;
      await applyStoredEvents(state, events, (ids) => session.findEvents(ids));
      this.remember(events);
      this.position = events[events.length - 1].position;
    }
  }

  private remember(events: readonly StoredEvent[]): void {
    for (const event of events) {
      this.eventKeys.add(event.eventId);
      this.streamKeys.add(event.streamId);
    }
  }
}

/**
 * Makes the state's windows complete for the invoices and payments these facts refer to. Streams
 * that certainly do not exist are not read; their versions (-1) are returned for the append.
 */
async function loadWindow(
  session: AppendSession,
  state: LedgerState,
  events: readonly CapflowEvent[],
  streamKeys: KnownKeys,
): Promise<Map<string, number>> {
  const invoiceIds = new Set<string>();
  const paymentIds = new Set<string>();
  const absent = new Map<string, number>();
  for (const event of events) {
    if (event.type === 'UsageBilled' || event.type === 'InvoiceSettled') {
      const invoice = state.invoices.get(event.data.invoiceId);
      if (invoice) {
        // most recently used last: the window forgets the invoices nobody settles any more
        state.invoices.delete(event.data.invoiceId);
        state.invoices.set(event.data.invoiceId, invoice);
      } else if (streamKeys.mightContain(invoiceStreamId(event.data.invoiceId))) invoiceIds.add(event.data.invoiceId);
      else absent.set(invoiceStreamId(event.data.invoiceId), -1);
    } else if (event.type === 'PaymentMade' && !state.payments.has(event.data.paymentId)) {
      if (streamKeys.mightContain(paymentStreamId(event.data.paymentId))) paymentIds.add(event.data.paymentId);
      else absent.set(paymentStreamId(event.data.paymentId), -1);
    }
  }
  if (invoiceIds.size === 0 && paymentIds.size === 0) return absent;
  const streams = new Map<string, CapflowEvent[]>();
  const found = await session.readStreams([...[...invoiceIds].map(invoiceStreamId), ...[...paymentIds].map(paymentStreamId)]);
  for (const stored of found) {
    const list = streams.get(stored.streamId);
    if (list) list.push(capflowEventOf(stored));
    else streams.set(stored.streamId, [capflowEventOf(stored)]);
  }
  for (const invoiceId of invoiceIds) {
    const invoice = invoiceStateOf(streams.get(invoiceStreamId(invoiceId)) ?? []);
    if (invoice) state.invoices.set(invoiceId, invoice);
  }
  for (const paymentId of paymentIds) if (streams.has(paymentStreamId(paymentId))) state.payments.add(paymentId);
  return absent;
}

/** The contract's content: type, occurredAt as an instant, source, data as a JSON value. */
function sameContent(incoming: CapflowEvent, known: CapflowEvent): boolean {
  return (
    incoming.type === known.type &&
    incoming.source === known.source &&
    instantKey(incoming.occurredAt) === instantKey(known.occurredAt) &&
    canonicalJson(incoming.data) === canonicalJson(known.data)
  );
}
