/**
 * Snapshots under their digests, on a real SQLite file and a real PostgreSQL schema: the store
 * writes the SHA-256 of each snapshot and frame beside it; ReconciledReadModels hands one out only
 * if it still hashes to it, refuses (read_model_unreconciled) one changed behind its back, and does
 * not use one stored before digests were kept (a view then starts from the log).
 */
import { TEST_POSTGRES_URL } from '@capflow/event-store/testing';
import { SNAPSHOT_FORMAT, SnapshotMark } from '@capflow/projections';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { bytesDigest } from './digest';
import { openReadModelStore } from './open-read-model-store';
import { ReadModelStore } from './read-model.store';
import { ReconciledReadModels } from './reconciled-read-models';

const FORMAT = SNAPSHOT_FORMAT;
const MARK: SnapshotMark = { checkpoint: { key: '2025-01-01T00:00:00.000000000Z', position: 7 }, builtAt: 9, validFrom: 3 };
const FRAME = [{ position: 1, type: 'PartyRegistered', partyId: 'aws', group: 'amazon' }] as never[];

describe.each([
  [
    'SQLite',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'capflow-reconciled-snapshots-'));
      const path = join(dir, 'capflow.db');
      return {
        url: `sqlite:${path}`,
        sql: async (text: string) => {
          const db = new Database(path);
          try {
            db.exec(text);
          } finally {
            db.close();
          }
        },
        dispose: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  ],
  [
    'PostgreSQL',
    () => {
      const schema = `rsnap_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      const run = async (text: string) => {
        const client = new Client({ connectionString: TEST_POSTGRES_URL });
        await client.connect();
        try {
          await client.query(text);
        } finally {
          await client.end();
        }
      };
      return {
        url: `${TEST_POSTGRES_URL}${TEST_POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}`,
        sql: (text: string) => run(`SET search_path TO "${schema}"; ${text}`),
        dispose: () => run(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
      };
    },
  ],
])('snapshots and their digests on %s', (_, place) => {
  let opened: ReturnType<typeof place>;
  let raw: ReadModelStore;
  let reconciled: ReconciledReadModels;
  const body = Buffer.from([0, 1, 2, 3, 250, 251]);
  beforeEach(async () => {
    opened = place();
    raw = await openReadModelStore(opened.url);
    reconciled = new ReconciledReadModels(raw);
    await raw.addSnapshot(FORMAT, MARK, body);
    await raw.addSnapshotFrame(FORMAT, MARK.builtAt, FRAME);
  });
  afterEach(async () => {
    await raw.close();
    await opened.dispose();
  });

  it('given a snapshot and frame as written, then each is stored with the SHA-256 of its bytes and handed out', async () => {
    expect(await raw.snapshot(FORMAT, MARK)).toEqual({ body, digest: bytesDigest(body) });
    expect(await raw.snapshotFrame(FORMAT, MARK.builtAt)).toEqual({ text: JSON.stringify(FRAME), digest: bytesDigest(JSON.stringify(FRAME)) });
    expect((await reconciled.snapshot(FORMAT, MARK))?.body).toEqual(body);
    expect(JSON.parse((await reconciled.snapshotFrame(FORMAT, MARK.builtAt))!.text)).toEqual(FRAME);
    expect(await reconciled.unreconciled()).toEqual([]);
  });

  it('given a snapshot changed behind the store, then it is refused, and named among the unreconciled', async () => {
    await opened.sql(`UPDATE rm_snapshots SET body = ${opened.url.startsWith('sqlite:') ? "X'00010203FAFF'" : "'\\x00010203faff'::bytea"}`);
    await expect(reconciled.snapshot(FORMAT, MARK)).rejects.toMatchObject({ code: 'read_model_unreconciled', projection: 'snapshots' });
    expect(await reconciled.unreconciled()).toEqual([
      { projection: 'snapshots', detail: 'snapshot at 2025-01-01T00:00:00.000000000Z position 7, built at 9: its bytes do not hash to its digest' },
    ]);
  });

  it('given a frame changed behind the store, then it is refused', async () => {
    await opened.sql(`UPDATE rm_snapshot_frames SET body = replace(body, 'amazon', 'openai')`);
    await expect(reconciled.snapshotFrame(FORMAT, MARK.builtAt)).rejects.toMatchObject({ code: 'read_model_unreconciled', projection: 'snapshots' });
  });

  it('given snapshots stored before digests were kept, then they are not used: a view starts from the log', async () => {
    await opened.sql('UPDATE rm_snapshots SET digest = NULL; UPDATE rm_snapshot_frames SET digest = NULL');
    expect(await reconciled.snapshot(FORMAT, MARK)).toBeNull();
    expect(await reconciled.snapshotFrame(FORMAT, MARK.builtAt)).toBeNull();
    expect(await reconciled.unreconciled()).toEqual([]);
  });
});
