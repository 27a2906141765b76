import type { EventStore } from '@capflow/event-store';
import type { LedgerView } from '@capflow/projections';
import { computeView, ReadModelStore, ViewRequest } from '@capflow/read-models';

/**
 * Views as of a business time or known at a ledger time are a pass over the log: costly, and
 * auditors ask for the same few dates again (moving a date control back and forth, paging a
 * report). The last few are kept, keyed by the log's head too, so a new fact makes them stale;
 * and one is computed at a time, so a burst of requests cannot exhaust memory.
 */
export class ViewCache {
  private readonly views = new Map<string, Promise<LedgerView>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly capacity = 4) {}

  view = async (store: EventStore, request: ViewRequest, readModels?: ReadModelStore): Promise<LedgerView> => {
    const head = (await store.head()).position;
    const key = JSON.stringify([head, request.asOf ?? null, request.knownAt ?? null, request.traceInvestment ?? null]);
    const cached = this.views.get(key);
    if (cached) {
      this.views.delete(key); // most recently used last
      this.views.set(key, cached);
      return cached;
    }
    const computed = this.queue.then(() => computeView(store, request, readModels));
    this.queue = computed.catch(() => undefined);
    this.views.set(key, computed);
    computed.catch(() => this.views.delete(key));
    while (this.views.size > this.capacity) this.views.delete(this.views.keys().next().value as string);
    return computed;
  };
}
