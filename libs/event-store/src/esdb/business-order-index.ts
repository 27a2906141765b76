import type { BusinessPage, ChainRecord } from '../event-store.port';

/**
 * Business order (occurredKey, then position) over the log, which EventStoreDB cannot sort: an
 * in-memory index of every position's occurredKey, built on first use and extended with what was
 * appended since at each use. About 60 bytes an event (60 MB at a million), held only by
 * processes that compute as-of views from the log; the events themselves are read on demand.
 */
export class BusinessOrderIndex {
  private keys: string[] = [];
  private positions: number[] = [];
  /** Every position up to this one is in the index. */
  private through = 0;

  get indexedThrough(): number {
    return this.through;
  }

  /** Adds the records after `indexedThrough`, read page by page from the log. */
  async extend(readLog: (after: number, limit: number) => Promise<ChainRecord[]>): Promise<void> {
    const added: { key: string; position: number }[] = [];
    for (;;) {
      const page = await readLog(this.through, 5000);
      if (page.length === 0) break;
      for (const record of page) added.push({ key: record.occurredKey, position: record.position });
      this.through = page[page.length - 1].position;
    }
    if (added.length > 0) this.merge(added);
  }

  /** Adds entries: sorted, then merged with the index in one pass (appends are mostly in business order already). */
  merge(entries: { key: string; position: number }[]): void {
    entries.sort((a, b) => compare(a.key, a.position, b.key, b.position));
    const keys: string[] = new Array(this.keys.length + entries.length);
    const positions: number[] = new Array(keys.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < this.keys.length || j < entries.length) {
      const takeOld =
        j >= entries.length || (i < this.keys.length && compare(this.keys[i], this.positions[i], entries[j].key, entries[j].position) < 0);
      if (takeOld) {
        keys[k] = this.keys[i];
        positions[k++] = this.positions[i++];
      } else {
        keys[k] = entries[j].key;
        positions[k++] = entries[j++].position;
      }
    }
    this.keys = keys;
    this.positions = positions;
  }

  /** The positions of one page, in business order. */
  select(page: BusinessPage): number[] {
    const limit = page.limit ?? 1000;
    let i = page.after ? this.firstAfter(page.after.occurredKey, page.after.position) : 0;
    const selected: number[] = [];
    for (; i < this.keys.length && selected.length < limit; i++) {
      if (page.asOf !== undefined && this.keys[i] > page.asOf) break;
      if (page.toPosition !== undefined && this.positions[i] > page.toPosition) continue;
      selected.push(this.positions[i]);
    }
    return selected;
  }

  /** The index of the first entry strictly after (key, position). */
  private firstAfter(key: string, position: number): number {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compare(this.keys[middle], this.positions[middle], key, position) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

function compare(keyA: string, positionA: number, keyB: string, positionB: number): number {
  if (keyA < keyB) return -1;
  if (keyA > keyB) return 1;
  return positionA - positionB;
}

/** Consecutive positions as runs [first, count], so a page is read with few requests. */
export function runsOf(positions: readonly number[]): [number, number][] {
  const sorted = [...new Set(positions)].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const position of sorted) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === position) last[1] += 1;
    else runs.push([position, 1]);
  }
  return runs;
}
