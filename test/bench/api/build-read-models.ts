/**
 * Builds the read models the API benchmark reads, in one pass: `capflow replay --projection X`
 * rebuilds one projection per pass over the log, and each pass computes every report (the round
 * trips' pools are most of its cost), so balances and round trips would take two. This rebuilds
 * balances, round trips, commitments, credits and flows from the same pass (restatements, a
 * pass in recorded order, are left out), the way `capflow replay` does for all of them.
 *
 *   node dist/test/bench/api/build-read-models.js STORE_URL
 *
 * Prints {"position", "digest", "projections", "seconds"} as JSON.
 */
import 'reflect-metadata';
import { openEventStore } from '@capflow/event-store';
import { openReadModelStore, Projector, ProjectionName } from '@capflow/read-models';

const PROJECTIONS: ProjectionName[] = ['balances', 'round-trips', 'commitments', 'credits', 'flows'];

async function main(): Promise<void> {
  const url = process.argv[2];
  if (!url) throw new Error('usage: build-read-models STORE_URL');
  const store = await openEventStore(url);
  const readModels = await openReadModelStore(url);
  try {
    const started = process.hrtime.bigint();
    const result = await new Projector(store, readModels).rebuild(PROJECTIONS);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(
      `${JSON.stringify({ position: result.position, digest: result.digest, projections: Object.fromEntries(result.digests), seconds })}\n`,
    );
  } finally {
    await readModels.close();
    await store.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
