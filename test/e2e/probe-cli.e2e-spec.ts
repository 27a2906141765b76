/**
 * The hostile-input probe's findings against the command line (issue 15): a line longer than
 * 64 KiB whose byte 65,537 is a CR (D2), a tampered row whose event id is stored as an integer
 * (D3), and files that cannot be read (D9). Each is the built command line, as users run it.
 */
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli';
import { EXAMPLE, removeScratch, scratchDirectory, startApi } from './audit-api/harness';

jest.setTimeout(120_000);

let scratch: string;
beforeAll(() => (scratch = mkdtempSync(join(tmpdir(), 'capflow-probe-cli-'))));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  removeScratch();
});

describe('D2: a line of more than 64 KiB whose byte 65,537 is a CR', () => {
  // a valid envelope padded with spaces to exactly 64 KiB, then a CR, then more of the same line
  const envelope =
    '{"eventId":"00000000-0000-4000-8000-0000000000d2","type":"PartyRegistered","occurredAt":"2025-11-01T09:00:00Z","source":"x","data":{"partyId":"d2","name":"D2","kind":"investor"}';
  const line = Buffer.concat([
    Buffer.from(envelope),
    Buffer.alloc(64 * 1024 - envelope.length - 1, ' '),
    Buffer.from('}'),
    Buffer.from('\r'),
    Buffer.from(' "and the rest of the line"'),
  ]);

  it('is refused by import as schema_violation, and by POST /api/events the same way', async () => {
    expect(line.length).toBeGreaterThan(64 * 1024 + 1);
    expect(line[64 * 1024]).toBe(0x0d);
    const file = join(scratch, 'long-cr.ndjson');
    writeFileSync(file, Buffer.concat([line, Buffer.from('\n')]));
    const store = `sqlite:${join(scratch, 'd2.db')}`;
    const result = runCli(['import', file, '--store', store, '--json']);
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ accepted: 0, rejected: [{ line: 1, eventId: null, reason: 'schema_violation' }] });

    const api = await startApi({ storeUrl: `sqlite:${join(scratchDirectory(), 'd2-api.db')}`, projector: false });
    try {
      for (const type of ['application/json', 'application/x-ndjson']) {
        const answer = await api.call('/api/events', {
          key: api.keys.ingest.key,
          method: 'POST',
          headers: { 'content-type': type },
          body: line,
        });
        expect(answer.text).toContain('schema_violation');
      }
    } finally {
      await api.close();
    }
  });
});

describe('D3: verify of a row whose event id is stored as an integer', () => {
  it('exits 2 naming position 3 (not 1 with a stack trace)', () => {
    const path = join(scratch, 'd3.db');
    expect(runCli(['import', EXAMPLE, '--store', `sqlite:${path}`, '--json']).status).toBe(2); // the example's three refused lines
    const db = new Database(path);
    db.exec('DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;');
    db.exec('UPDATE events SET event_id = 3 WHERE position = 3');
    db.close();
    const result = runCli(['verify', '--store', `sqlite:${path}`]);
    expect(result.status).toBe(2);
    expect(result.stdout).toMatch(/^TAMPERED at position 3 \(modified\): .*event_id is a number/);
    expect(result.stderr).not.toMatch(/\bat /);
    const json = runCli(['verify', '--store', `sqlite:${path}`, '--json']);
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, problem: { position: 3, kind: 'modified' } });
  });
});

describe('D9: a file that cannot be read: one line naming it and the cause, exit 1', () => {
  it.each([
    ['a directory', (dir: string) => dir, /a directory, not a file/],
    ['a symlink loop', (dir: string) => (symlinkSync('loop', join(dir, 'loop')), join(dir, 'loop')), /symbolic links/],
    [
      'a dangling symlink',
      (dir: string) => (symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling')), join(dir, 'dangling')),
      /no such file/,
    ],
    ['a missing file', (dir: string) => join(dir, 'missing.ndjson'), /no such file/],
  ])('import of %s', (_, make, cause) => {
    const dir = join(scratch, `d9-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir);
    const file = make(dir);
    for (const args of [
      ['import', file, '--store', `sqlite:${join(dir, 'store.db')}`],
      ['import', file, '--json', '--store', `sqlite:${join(dir, 'store.db')}`],
    ]) {
      const result = runCli(args);
      expect(result).toMatchObject({ status: 1, stdout: '' });
      expect(result.stderr.split('\n').filter((line) => line.length > 0)).toEqual([
        expect.stringMatching(new RegExp(`^capflow: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `)),
      ]);
      expect(result.stderr).toMatch(cause);
    }
  });

  it('produce of a directory: the same line, before any broker is asked', () => {
    const result = runCli(['produce', scratch, '--brokers', '127.0.0.1:1']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`capflow: ${scratch}: a directory, not a file\n`);
  });
});
