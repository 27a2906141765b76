import type { CurrencyCode } from '@capflow/contracts';
import type { SnapshotReader, SnapshotWriter } from '../snapshots/snapshot-codec';

/** One cell of the circular-revenue report at its finest grain (TRACING.md 1.1): months in UTC. */
export interface RevenueCellId {
  providerGroup: string;
  customerGroup: string;
  currency: CurrencyCode;
  /** `2025-07`: the UTC month of the arrivals' occurredAt. */
  month: string;
}

export interface RevenueCell extends RevenueCellId {
  receivedCash: bigint;
  receivedCredits: bigint;
  circularCredits: bigint;
  /** Arrivals in the cell (a reversal takes one out): the report has a row while there is one. */
  arrivals: number;
}

/** The UTC month of an instant key (`2025-07-01T…Z`, see instantKey). */
export const monthOfKey = (occurredKey: string): string => occurredKey.slice(0, 7);

const keyOf = (id: RevenueCellId) => `${id.providerGroup}\u0000${id.customerGroup}\u0000${id.currency}\u0000${id.month}`;

/**
 * Revenue arriving from one group at another, per cell: what does not depend on order (the cash
 * and credits received, and the credits of grants that came with an investment).
 */
export class RevenueArrivals {
  readonly cells = new Map<string, RevenueCell>();

  /** An arrival of `amount` (negative, sign −1: a reversed one taken back out). */
  arrive(id: RevenueCellId, method: 'cash' | 'credits', amount: bigint, fromInvestment: boolean, sign: 1n | -1n): void {
    const key = keyOf(id);
    let cell = this.cells.get(key);
    if (!cell) this.cells.set(key, (cell = { ...id, receivedCash: 0n, receivedCredits: 0n, circularCredits: 0n, arrivals: 0 }));
    cell.arrivals += sign === 1n ? 1 : -1;
    if (method === 'cash') cell.receivedCash += amount;
    else {
      cell.receivedCredits += amount;
      if (fromInvestment) cell.circularCredits += amount;
    }
  }

  snapshot(w: SnapshotWriter): void {
    w.num(this.cells.size);
    for (const cell of this.cells.values()) {
      writeId(w, cell);
      w.big(cell.receivedCash);
      w.big(cell.receivedCredits);
      w.big(cell.circularCredits);
      w.num(cell.arrivals);
    }
  }

  restoreSnapshot(r: SnapshotReader): void {
    for (let n = r.count(); n > 0; n--) {
      const cell: RevenueCell = { ...readId(r), receivedCash: r.big(), receivedCredits: r.big(), circularCredits: r.big(), arrivals: r.num() };
      this.cells.set(keyOf(cell), cell);
    }
  }
}

/**
 * Per cell, under one policy, the returnedCash that arrivals closed: the provider group's own
 * investments coming back. Order matters, so it is saved and restored with the pools.
 */
export class CircularCash {
  private cells = new Map<string, RevenueCellId & { cash: bigint }>();

  add(id: RevenueCellId, amount: bigint): void {
    const key = keyOf(id);
    const cell = this.cells.get(key);
    if (cell) cell.cash += amount;
    else this.cells.set(key, { ...id, cash: amount });
  }

  of(id: RevenueCellId): bigint {
    return this.cells.get(keyOf(id))?.cash ?? 0n;
  }

  clone(): CircularCash {
    const copy = new CircularCash();
    for (const [key, cell] of this.cells) copy.cells.set(key, { ...cell });
    return copy;
  }

  snapshot(w: SnapshotWriter): void {
    w.num(this.cells.size);
    for (const cell of this.cells.values()) {
      writeId(w, cell);
      w.big(cell.cash);
    }
  }

  restoreSnapshot(r: SnapshotReader): void {
    for (let n = r.count(); n > 0; n--) {
      const id = readId(r);
      this.cells.set(keyOf(id), { ...id, cash: r.big() });
    }
  }
}

function writeId(w: SnapshotWriter, id: RevenueCellId): void {
  w.str(id.providerGroup);
  w.str(id.customerGroup);
  w.str(id.currency);
  w.str(id.month);
}

function readId(r: SnapshotReader): RevenueCellId {
  return { providerGroup: r.str(), customerGroup: r.str(), currency: r.str() as CurrencyCode, month: r.str() };
}
