import type { EventStore } from '@capflow/event-store';
import { LedgerQueries } from '@capflow/queries';
import { openReadModelStore, ProjectionName, Projector, ProjectorOptions, ReconciledReadModels } from '@capflow/read-models';
import { Injectable } from '@nestjs/common';
import { ProgressBar } from '../output/progress-bar';
import { StoreOpener } from '../store/store-opener.service';

export interface ReportContext {
  store: EventStore;
  readModels: ReconciledReadModels;
  projector: Projector;
  projectorWith(options: ProjectorOptions): Projector;
  /** The ledger's queries; a current report first brings its read model up to the log's head. */
  queries: LedgerQueries;
}

/**
 * Opens the store and its read models for one command. The command line is the only process
 * that may be running, so a report as the ledger stands first catches its read model up with
 * the log (with a progress bar on a terminal, unless `quiet`). A report is never printed from a
 * read model that does not match its digest (see ReconciledReadModels).
 */
@Injectable()
export class ReportService {
  constructor(private readonly stores: StoreOpener) {}

  async with<T>(storeUrl: string | undefined, work: (context: ReportContext) => Promise<T>, quiet = true): Promise<T> {
    const store = await this.stores.open(storeUrl);
    let readModels: ReconciledReadModels | null = null;
    try {
      readModels = new ReconciledReadModels(await openReadModelStore(this.stores.urlFor(storeUrl)));
      const models = readModels;
      const projector = new Projector(store, models);
      return await work({
        store,
        readModels: models,
        projector,
        projectorWith: (options) => new Projector(store, models, options),
        queries: new LedgerQueries(store, models, { freshen: (projection) => caughtUp(projector, projection, quiet) }),
      });
    } finally {
      await readModels?.close();
      await store.close();
    }
  }
}

async function caughtUp(projector: Projector, projection: ProjectionName, quiet: boolean): Promise<void> {
  const progress = quiet ? ProgressBar.disabled() : new ProgressBar(process.stderr, 'projecting');
  await projector.catchUp(({ position, head }) => progress.update(position, head, position, 'events'), [projection]);
  progress.finish();
}
