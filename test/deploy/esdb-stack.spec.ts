/**
 * What compose.yaml deploys — the log in EventStoreDB, the read models in a database beside it —
 * gives the contract's worked example exactly the results the embedded store gives: the same
 * outcomes for every line (accepted, duplicate, rejected with its code, at the same positions),
 * the same read models (digests), the same as-of view, an intact hash chain. The EventStoreDB
 * here is the in-memory one of `@capflow/event-store/testing` (no server on this machine), so
 * this is a unit test; the adapter against a real server is the contract's CAPFLOW_TEST_ESDB run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyChain } from '@capflow/event-store';
import { esdbMemoryHarness, sqliteHarness, StoreHarness } from '@capflow/event-store/testing';
import { IngestionService } from '@capflow/ingestion';
import { computeView, openReadModelStore, Projector } from '@capflow/read-models';
import { reportsOf } from '../support/scenarios';

const EXAMPLE = join(__dirname, '../fixtures/contract/amazon-openai-loop.ndjson');
const lines = readFileSync(EXAMPLE, 'utf8')
  .split('\n')
  .filter((line) => line.trim().length > 0);

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'capflow-stack-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Ingests the example in batches of 7 (as Kafka batches would), again whole (redelivery), projects, reports. */
async function runStack(harness: StoreHarness, name: string) {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const store = await harness.open({ clock: () => new Date((now += 1000)) });
  const readModels = await openReadModelStore(`sqlite:${join(scratch, `${name}-read-models.db`)}`);
  try {
    const ingestion = new IngestionService(store);
    const outcomes = [];
    for (let i = 0; i < lines.length; i += 7) {
      outcomes.push(...(await ingestion.ingest(lines.slice(i, i + 7).map((input, j) => ({ input, metadata: { import: { line: i + j + 1 } } })))));
    }
    const redelivered = await new IngestionService(store).ingest(lines.map((input) => ({ input })));
    await new Projector(store, readModels).catchUp();
    return {
      outcomes,
      redelivered: redelivered.map((outcome) => outcome.status),
      readModels: [...(await readModels.states())].map(([projection, state]) => [projection, state.position, state.digest]),
      asOf: reportsOf(await computeView(store, { asOf: '2025-06-01T00:00:00.000000000Z' }, readModels)),
      verify: await verifyChain(store),
    };
  } finally {
    await readModels.close();
    await harness.dispose();
  }
}

it('the log in EventStoreDB, the read models beside it: the worked example comes out as on the embedded store', async () => {
  const embedded = await runStack(sqliteHarness(), 'sqlite');
  const esdb = await runStack(esdbMemoryHarness(), 'esdb');
  expect(embedded.outcomes.filter((outcome) => outcome.status === 'accepted')).toHaveLength(22);
  expect(embedded.redelivered).not.toContain('accepted');
  expect(esdb).toEqual(embedded);
  expect(esdb.verify).toMatchObject({ ok: true, headPosition: 22 });
});
