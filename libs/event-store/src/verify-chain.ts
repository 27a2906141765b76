import { instantKey } from '@capflow/contracts';
import type { EventStore } from './event-store.port';
import { chainHash, GENESIS_HASH } from './hash-chain';

export interface ChainProblem {
  /** The first position where the stored log differs from what was appended. */
  position: number;
  kind: 'modified' | 'missing' | 'inserted';
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Events whose hash was recomputed. */
  checked: number;
  headPosition: number;
  headHash: string | null;
  problem: ChainProblem | null;
}

/**
 * Recomputes the hash chain from position 1 and names the first position where the store was
 * modified, deleted from or inserted into. Each row is chained to its predecessor's *stored*
 * hash, so one modified row is reported once, at its own position.
 *
 * The chain proves that nothing changed relative to the head it ends in. Someone able to rewrite
 * the whole table and the head can forge a consistent chain; an auditor who records the head
 * (position and hash, printed by verify) detects that at the next verify with --anchor.
 */
export async function verifyChain(
  store: EventStore,
  options: { pageSize?: number; onProgress?: (checked: number, head: number) => void; anchor?: { position: number; hash: string } } = {},
): Promise<VerifyReport> {
  const pageSize = options.pageSize ?? 5000;
  const head = await store.head();
  let previousHash = GENESIS_HASH;
  let expected = 1;
  let checked = 0;
  const fail = (problem: ChainProblem): VerifyReport => ({
    ok: false,
    checked,
    headPosition: head.position,
    headHash: head.hash,
    problem,
  });

  for (;;) {
    const records = await store.readChainRecords({ after: expected - 1, limit: pageSize });
    if (records.length === 0) break;
    for (const record of records) {
      if (record.malformed !== undefined) {
        const position = Number.isSafeInteger(record.position) ? record.position : expected;
        return fail({ position, kind: 'modified', detail: `the event at position ${position} was changed: ${record.malformed}` });
      }
      if (record.position !== expected) {
        return fail({ position: expected, kind: 'missing', detail: `position ${expected} is missing: an event was deleted` });
      }
      if (chainHash(previousHash, record) !== record.hash) {
        return fail({
          position: record.position,
          kind: 'modified',
          detail: `the event at position ${record.position} does not match its hash: it or its predecessor's hash was changed`,
        });
      }
      let occurredKey: string | null;
      try {
        occurredKey = instantKey(record.occurredAt);
      } catch {
        occurredKey = null;
      }
      if (occurredKey !== record.occurredKey) {
        return fail({
          position: record.position,
          kind: 'modified',
          detail: `the business-time index of position ${record.position} does not match its occurredAt`,
        });
      }
      if (options.anchor && record.position === options.anchor.position && record.hash !== options.anchor.hash) {
        return fail({
          position: record.position,
          kind: 'modified',
          detail: `position ${record.position} no longer has the anchored hash: the log was rewritten up to here`,
        });
      }
      previousHash = record.hash;
      expected += 1;
      checked += 1;
    }
    options.onProgress?.(checked, head.position);
  }

  const last = expected - 1;
  if (head.position > last) {
    return fail({ position: last + 1, kind: 'missing', detail: `positions ${last + 1} to ${head.position} are missing: events were deleted` });
  }
  if (head.position < last) {
    return fail({
      position: head.position + 1,
      kind: 'inserted',
      detail: `position ${head.position + 1} lies beyond the store's recorded head (${head.position}): an event was inserted`,
    });
  }
  if (last > 0 && head.hash !== previousHash) {
    return fail({ position: last, kind: 'modified', detail: `the store's recorded head hash does not match position ${last}` });
  }
  if (options.anchor && options.anchor.position > last) {
    return fail({
      position: last + 1,
      kind: 'missing',
      detail: `the anchor names position ${options.anchor.position}, beyond the last event (${last}): events were deleted`,
    });
  }
  return { ok: true, checked, headPosition: head.position, headHash: head.hash, problem: null };
}
