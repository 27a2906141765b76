/**
 * D10 (issue 15), derived data under evidence: `capflow verify` recomputes every read model from
 * the log and names the first stored row that differs (a document, a checkpoint's digest, a
 * restatement, a snapshot's bytes or the position it is valid from, a snapshot's frame), exit 2;
 * an untouched store verifies 0, read models behind the log are compared as of their checkpoints;
 * `--log-only` checks the chain alone. A server refuses (503) a read model whose documents do not
 * hash to its digest, and a view from a snapshot that does not hash to its own, and names them in /health. On a real SQLite file and a real PostgreSQL schema:
 * the read models are built in this process (snapshots every 4 events, so that a small ledger has
 * several), the built command line verifies them.
 */
import { openEventStore } from '@capflow/event-store';
import { IngestionService } from '@capflow/ingestion';
import { openReadModelStore, PROJECTIONS, Projector } from '@capflow/read-models';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { runCli } from '../support/cli';
import { EXAMPLE_LINES, Json, removeScratch, startApi } from './audit-api/harness';

jest.setTimeout(180_000);

const TEST_POSTGRES_URL = process.env.CAPFLOW_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A store to tamper with: its URL, SQL run on its file or schema, one byte of a snapshot changed. */
interface Place {
  url: string;
  sql(text: string): Promise<void>;
  /** Adds 1 to the middle byte of the snapshot with the latest checkpoint; its checkpoint position. */
  changeSnapshotByte(): Promise<number>;
  dispose(): Promise<void>;
}

function sqlitePlace(): Place {
  const dir = mkdtempSync(join(tmpdir(), 'capflow-read-side-'));
  const path = join(dir, 'capflow.db');
  const withDb = <T>(work: (db: Database.Database) => T): T => {
    const db = new Database(path);
    try {
      return work(db);
    } finally {
      db.close();
    }
  };
  return {
    url: `sqlite:${path}`,
    sql: async (text) => withDb((db) => void db.exec(text)),
    changeSnapshotByte: async () =>
      withDb((db) => {
        const row = db
          .prepare<[], { rowid: number; body: Buffer; position: number }>(
            'SELECT rowid, body, checkpoint_position AS position FROM rm_snapshots ORDER BY checkpoint_key DESC, checkpoint_position DESC LIMIT 1',
          )
          .get()!;
        const middle = row.body.length >> 1;
        row.body[middle] = (row.body[middle] + 1) % 256;
        db.prepare('UPDATE rm_snapshots SET body = ? WHERE rowid = ?').run(row.body, row.rowid);
        return row.position;
      }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresPlace(): Place {
  const schema = `readside_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const query = async (text: string) => {
    const client = new Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    try {
      return await client.query(`SET search_path TO "${schema}"; ${text}`);
    } finally {
      await client.end();
    }
  };
  return {
    url: `${TEST_POSTGRES_URL}${TEST_POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`,
    sql: async (text) => void (await query(text)),
    changeSnapshotByte: async () => {
      const [, found] = (await query(
        'SELECT checkpoint_key, checkpoint_position AS position FROM rm_snapshots ORDER BY checkpoint_key DESC, checkpoint_position DESC LIMIT 1',
      )) as unknown as { rows: { checkpoint_key: string; position: string }[] }[];
      const { checkpoint_key: key, position } = found.rows[0];
      await query(
        `UPDATE rm_snapshots SET body = set_byte(body, length(body) / 2, (get_byte(body, length(body) / 2) + 1) % 256) ` +
          `WHERE checkpoint_key = '${key}' AND checkpoint_position = ${Number(position)}`,
      );
      return Number(position);
    },
    dispose: async () => {
      const client = new Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => client.end());
    },
  };
}

/**
 * The worked example appended three lines at a time (so that its late facts restate), the read
 * models rebuilt at line `rebuiltAt` with a snapshot every 4 events, then the rest appended
 * without catching up: read models behind the log when `rebuiltAt` is before the end. The head.
 */
async function ledger(place: Place, rebuiltAt = EXAMPLE_LINES.length): Promise<number> {
  const store = await openEventStore(place.url);
  const readModels = await openReadModelStore(place.url);
  try {
    const ingestion = new IngestionService(store);
    const append = async (from: number, to: number) => {
      for (let line = from; line < to; line += 3) {
        await ingestion.ingest(EXAMPLE_LINES.slice(line, Math.min(line + 3, to)).map((input) => ({ input })));
      }
    };
    await append(0, rebuiltAt);
    await new Projector(store, readModels, { snapshotEvery: 4 }).rebuild([...PROJECTIONS]);
    await append(rebuiltAt, EXAMPLE_LINES.length);
    return (await store.head()).position;
  } finally {
    await readModels.close();
    await store.close();
  }
}

function verify(place: Place, ...options: string[]): { status: number | null; stdout: string; json: Json } {
  const printed = runCli(['verify', '--store', place.url, ...options]);
  const json = runCli(['verify', '--store', place.url, '--json', ...options]);
  expect(json.status).toBe(printed.status);
  return { status: printed.status, stdout: printed.stdout, json: JSON.parse(json.stdout) };
}

afterAll(() => removeScratch());

describe.each([
  ['SQLite', sqlitePlace],
  ['PostgreSQL', postgresPlace],
])('verify of the read side on %s', (_, makePlace) => {
  const places: Place[] = [];
  const fresh = async (rebuiltAt?: number) => {
    const place = makePlace();
    places.push(place);
    return { place, head: await ledger(place, rebuiltAt) };
  };
  afterAll(async () => {
    for (const place of places) await place.dispose();
  });

  it('an untouched store verifies 0: the log, then every read model and snapshot, as the log implies them', async () => {
    const { place, head } = await fresh();
    const result = verify(place);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^ok: ${head} events verified\\n`));
    expect(result.stdout).toMatch(
      new RegExp(
        `\\nread models match the log: balances \\(position ${head}\\), round-trips .*restatements \\(position ${head}\\), snapshots \\(${Math.floor(head / 4)} built at position ${head}\\)\\n$`,
      ),
    );
    expect(result.json).toMatchObject({
      ok: true,
      checked: head,
      problem: null,
      readSide: { ok: true, headPosition: head, problem: null },
    });
    expect(result.json.readSide.checked.map((c: Json) => c.readModel)).toEqual([...PROJECTIONS, 'snapshots']);
    expect(result.json.readSide.checked.find((c: Json) => c.readModel === 'restatements').rows).toBeGreaterThan(0);
  });

  it('read models behind the log: compared as of their checkpoints and reported behind, not changed', async () => {
    const { place, head } = await fresh(15);
    const result = verify(place);
    expect(result.status).toBe(0);
    const { checked } = result.json.readSide;
    expect(checked.length).toBe(PROJECTIONS.length + 1);
    for (const check of checked) expect(check.behind).toBe(head - check.position);
    expect(checked.every((check: Json) => check.behind > 0)).toBe(true);
    expect(result.stdout).toMatch(/balances \(position \d+, \d+ behind the head\)/);
  });

  /** An edit made with SQL; the row verify must name. */
  const sql =
    (text: string, row: RegExp) =>
    async (place: Place): Promise<RegExp> => {
      await place.sql(text);
      return row;
    };
  const tampered: [string, (place: Place) => Promise<RegExp>, string][] = [
    [
      "a balances document (the issue's own edit)",
      sql("UPDATE rm_documents SET body = replace(body, '-600.00', '-6.00') WHERE projection = 'balances'", /^document "balances"$/),
      'balances',
    ],
    [
      'a round-trips document',
      sql(`UPDATE rm_documents SET body = replace(body, '"amzn-oai"', '"amzn-0ai"') WHERE name = 'fifo'`, /^document "fifo"$/),
      'round-trips',
    ],
    [
      "a checkpoint's digest",
      sql(`UPDATE rm_checkpoints SET digest = '${'0'.repeat(64)}' WHERE projection = 'credits'`, /^digest$/),
      'credits',
    ],
    [
      'a restatement row',
      sql(`UPDATE rm_restatements SET body = replace(body, '"kind":"late"', '"kind":"reversal"')`, /^restatement at position \d+$/),
      'restatements',
    ],
    [
      "a restatement's business-time index",
      sql("UPDATE rm_restatements SET occurred_key = '2000-01-01T00:00:00.000000000Z'", /^restatement at position \d+$/),
      'restatements',
    ],
    [
      "a snapshot's bytes",
      async (place) => new RegExp(`^snapshot at \\S+ position ${await place.changeSnapshotByte()}, built at \\d+$`),
      'snapshots',
    ],
    [
      'the position a snapshot is valid from',
      sql('UPDATE rm_snapshots SET valid_from = 0', /^snapshot at \S+ position \d+, built at \d+$/),
      'snapshots',
    ],
    [
      'a snapshot frame',
      sql(`UPDATE rm_snapshot_frames SET body = replace(body, '"aws","amazon"', '"aws","openai"')`, /^snapshot frame built at \d+$/),
      'snapshots',
    ],
    [
      "a snapshot's digest",
      sql(`UPDATE rm_snapshots SET digest = '${'0'.repeat(64)}'`, /^snapshot at \S+ position \d+, built at \d+$/),
      'snapshots',
    ],
    [
      "a snapshot frame's digest",
      sql(`UPDATE rm_snapshot_frames SET digest = '${'0'.repeat(64)}'`, /^snapshot frame built at \d+$/),
      'snapshots',
    ],
  ];

  it.each(tampered)('editing %s: exit 2, naming the read model and the row', async (_what, edit, readModel) => {
    const { place, head } = await fresh();
    const row = await edit(place);
    const result = verify(place);
    expect(result.status).toBe(2);
    expect(result.json).toMatchObject({ ok: true, problem: null, readSide: { ok: false, problem: { readModel } } });
    expect(result.json.readSide.problem.row).toMatch(row);
    expect(result.stdout).toContain(`\nTAMPERED read model ${readModel}, ${result.json.readSide.problem.row}: `);
    // the chain itself holds, and says so as before
    expect(result.stdout).toMatch(new RegExp(`^ok: ${head} events verified\nhead: ${head}:[0-9a-f]{64}\n`));
    const logOnly = runCli(['verify', '--store', place.url, '--log-only', '--json']);
    expect(logOnly.status).toBe(0);
    expect(JSON.parse(logOnly.stdout)).toEqual({
      ok: true,
      checked: head,
      headPosition: head,
      headHash: expect.any(String),
      problem: null,
    });
  });

  it('a tampered log is reported as before, whatever the read side', async () => {
    const { place } = await fresh();
    await place.sql("UPDATE rm_documents SET body = replace(body, '-600.00', '-6.00') WHERE projection = 'balances'");
    await place.sql(
      place.url.startsWith('sqlite:')
        ? "DROP TRIGGER events_no_update; UPDATE events SET source = 'forged' WHERE position = 7"
        : "SET session_replication_role = 'replica'; UPDATE events SET source = 'forged' WHERE position = 7",
    );
    const result = verify(place);
    expect(result.status).toBe(2);
    expect(result.stdout).toMatch(/^TAMPERED at position 7 \(modified\): /);
    expect(result.json.readSide).toBeUndefined();
    // not recomputed from: exactly what the chain alone says
    expect(verify(place, '--log-only')).toEqual(result);
  });

  it('projections: says which read model no longer matches its digest, and why', async () => {
    const { place } = await fresh();
    await place.sql("UPDATE rm_documents SET body = replace(body, '-600.00', '-6.00') WHERE projection = 'balances'");
    const result = runCli(['projections', '--store', place.url, '--json']);
    expect(result.status).toBe(0);
    const rows: Json[] = JSON.parse(result.stdout).projections;
    expect(rows.map((row) => [row.projection, row.unreconciled === null])).toEqual(PROJECTIONS.map((p) => [p, p !== 'balances']));
    expect(rows[0].unreconciled).toMatch(/^its stored documents hash to [0-9a-f]{64}, its checkpoint holds [0-9a-f]{64}$/);
    expect(runCli(['projections', '--store', place.url]).stdout).toMatch(
      /\nbalances: its stored documents hash to .*`capflow verify` names the row\)\n$/,
    );
  });

  it('serve: a read model whose documents do not hash to its digest is refused with 503 and named in /health', async () => {
    const { place } = await fresh();
    let api = await startApi({ storeUrl: place.url });
    try {
      await api.caughtUp();
      expect(await api.json('/api/verify')).toMatchObject({ ok: true, readSide: { ok: true } });
      expect((await api.call('/health')).json).toMatchObject({ status: 'up' });
      await place.sql("UPDATE rm_documents SET body = replace(body, '-600.00', '-6.00') WHERE projection = 'balances'");
      const refused = await api.call('/api/balances', { key: api.keys.auditor.key });
      expect(refused.status).toBe(503);
      expect(refused.json).toMatchObject({
        code: 'read_model_unreconciled',
        readModel: 'balances',
        detail: expect.stringContaining('balances'),
      });
      expect(refused.text).not.toContain('-6.00');
      const health = await api.call('/health');
      expect(health.json).toMatchObject({
        status: 'degraded',
        code: 'read_model_unreconciled',
        readModels: { unreconciled: [{ projection: 'balances', detail: expect.stringContaining('"balances" was changed') }] },
      });
      // the other read models still answer
      expect((await api.call('/api/reports/credits', { key: api.keys.auditor.key })).status).toBe(200);
    } finally {
      await api.close();
    }
    // a server started on the edited store finds it at load, before any report is asked for
    api = await startApi({ storeUrl: place.url, projector: false });
    try {
      const health = await api.call('/health');
      expect(health.json).toMatchObject({
        status: 'degraded',
        readModels: { unreconciled: [{ projection: 'balances', detail: expect.stringContaining('its stored documents hash to') }] },
      });
      expect((await api.call('/api/balances?format=csv', { key: api.keys.auditor.key })).status).toBe(503);
      expect(await api.json('/api/verify')).toMatchObject({
        ok: true,
        readSide: { ok: false, problem: { readModel: 'balances', row: 'document "balances"' } },
      });
    } finally {
      await api.close();
    }
  });

  it('serve and reports: a snapshot whose bytes do not hash to its digest is named in /health, and no view starts from it', async () => {
    const { place } = await fresh();
    await place.changeSnapshotByte();
    const api = await startApi({ storeUrl: place.url, projector: false });
    try {
      const health = await api.call('/health');
      expect(health.json).toMatchObject({
        status: 'degraded',
        readModels: { unreconciled: [{ projection: 'snapshots', detail: expect.stringMatching(/^snapshot at .*: its bytes do not hash to its digest$/) }] },
      });
      const refused = await api.call('/api/balances?asOf=2099-01-01', { key: api.keys.auditor.key });
      expect(refused.status).toBe(503);
      expect(refused.json).toMatchObject({ code: 'read_model_unreconciled', readModel: 'snapshots' });
      expect((await api.call('/api/balances', { key: api.keys.auditor.key })).status).toBe(200); // the current one is intact
    } finally {
      await api.close();
    }
    const listed = JSON.parse(runCli(['projections', '--store', place.url, '--json']).stdout);
    expect(listed.snapshots.unreconciled).toMatch(/: its bytes do not hash to its digest$/);
    const cli = runCli(['balances', '--as-of', '2099-01-01', '--store', place.url]);
    expect(cli.status).toBe(1);
    expect(cli.stderr).toMatch(/^capflow: the snapshots read model does not match its digest \(snapshot at .*: its bytes do not hash to its digest\)/);
  });
});
