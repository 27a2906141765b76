import type { EventStore } from '@capflow/event-store';
import type { LedgerView } from '@capflow/projections';
import { computeView, openReadModelStore, ProjectionName, Projector, ProjectorOptions, ReadModelStore } from '@capflow/read-models';
import { Injectable } from '@nestjs/common';
import type { Selection } from '../commands/view-command';
import { ProgressBar } from '../output/progress-bar';
import { StoreOpener } from '../store/store-opener.service';

export interface ReportContext {
  store: EventStore;
  readModels: ReadModelStore;
  projector: Projector;
  projectorWith(options: ProjectorOptions): Projector;
}

/**
 * Where a report's figures come from: the read models, brought up to date with the log first,
 * for the ledger as it stands; a pass over the log for a view as of a business time or as known
 * at a ledger time.
 */
@Injectable()
export class ReportService {
  constructor(private readonly stores: StoreOpener) {}

  async with<T>(storeUrl: string | undefined, work: (context: ReportContext) => Promise<T>): Promise<T> {
    const store = await this.stores.open(storeUrl);
    let readModels: ReadModelStore | null = null;
    try {
      readModels = await openReadModelStore(this.stores.urlFor(storeUrl));
      const models = readModels;
      return await work({
        store,
        readModels: models,
        projector: new Projector(store, models),
        projectorWith: (options) => new Projector(store, models, options),
      });
    } finally {
      await readModels?.close();
      await store.close();
    }
  }

  /** A read model, caught up with every fact the log holds. */
  async current(context: ReportContext, projection: ProjectionName, quiet: boolean): Promise<void> {
    const progress = quiet ? ProgressBar.disabled() : new ProgressBar(process.stderr, 'projecting');
    await context.projector.catchUp(({ position, head }) => progress.update(position, head, position, 'events'), [projection]);
    progress.finish();
  }

  async document<T>(context: ReportContext, projection: ProjectionName, name: string, quiet: boolean): Promise<T> {
    await this.current(context, projection, quiet);
    return (await context.readModels.document(projection, name)) as T;
  }

  /** A view the read models do not hold: computed from the log. */
  view(context: ReportContext, selection: Selection, traceInvestment?: string): Promise<LedgerView> {
    return computeView(context.store, { asOf: selection.asOf, knownAt: selection.knownAt, traceInvestment });
  }

  isCurrent(selection: Selection): boolean {
    return selection.asOf === undefined && selection.knownAt === undefined;
  }
}
