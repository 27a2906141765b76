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

/**
 * Cells by provider group, customer group, currency and month, in nested maps: an arrival looks
 * its cell up by the strings it already has (their hashes are cached) and the month's number,
 * with no key string made per arrival.
 */
class CellTable<T extends RevenueCellId> {
  private readonly cells = new Map<string, Map<string, Map<string, Map<number, T>>>>();
  private readonly list: T[] = [];

  /** The cell of an instant key's month, made by `make` when there is none. */
  cellAt(providerGroup: string, customerGroup: string, currency: CurrencyCode, occurredKey: string, make: (id: RevenueCellId) => T): T {
    const month = monthNumber(occurredKey);
    const months = this.monthsOf(providerGroup, customerGroup, currency);
    let cell = months.get(month);
    if (!cell) {
      cell = make({ providerGroup, customerGroup, currency, month: occurredKey.slice(0, 7) });
      months.set(month, cell);
      this.list.push(cell);
    }
    return cell;
  }

  find(id: RevenueCellId): T | undefined {
    return this.cells.get(id.providerGroup)?.get(id.customerGroup)?.get(id.currency)?.get(monthNumber(id.month));
  }

  /** A cell read back (a snapshot, a copy). */
  insert(cell: T): void {
    this.monthsOf(cell.providerGroup, cell.customerGroup, cell.currency).set(monthNumber(cell.month), cell);
    this.list.push(cell);
  }

  values(): readonly T[] {
    return this.list;
  }

  private monthsOf(providerGroup: string, customerGroup: string, currency: CurrencyCode): Map<number, T> {
    let customers = this.cells.get(providerGroup);
    if (!customers) this.cells.set(providerGroup, (customers = new Map()));
    let currencies = customers.get(customerGroup);
    if (!currencies) customers.set(customerGroup, (currencies = new Map()));
    let months = currencies.get(currency);
    if (!months) currencies.set(currency, (months = new Map()));
    return months;
  }
}

/** Months since year 0 of an instant key or a month label (`2025-07…`), read off its digits. */
function monthNumber(text: string): number {
  const digit = (at: number) => text.charCodeAt(at) - 48;
  return (digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3)) * 12 + digit(5) * 10 + digit(6);
}

/**
 * Revenue arriving from one group at another, per cell: what does not depend on order (the cash
 * and credits received, and the credits of grants that came with an investment).
 */
export class RevenueArrivals {
  private readonly table = new CellTable<RevenueCell>();

  get cells(): readonly RevenueCell[] {
    return this.table.values();
  }

  /** An arrival of `amount` at `occurredKey` (negative, sign −1: a reversed one taken back out). */
  arrive(
    providerGroup: string,
    customerGroup: string,
    currency: CurrencyCode,
    occurredKey: string,
    method: 'cash' | 'credits',
    amount: bigint,
    fromInvestment: boolean,
    sign: 1n | -1n,
  ): void {
    const cell = this.table.cellAt(providerGroup, customerGroup, currency, occurredKey, newArrivalCell);
    cell.arrivals += sign === 1n ? 1 : -1;
    if (method === 'cash') cell.receivedCash += amount;
    else {
      cell.receivedCredits += amount;
      if (fromInvestment) cell.circularCredits += amount;
    }
  }

  snapshot(w: SnapshotWriter): void {
    const cells = this.table.values();
    w.num(cells.length);
    for (const cell of cells) {
      writeId(w, cell);
      w.big(cell.receivedCash);
      w.big(cell.receivedCredits);
      w.big(cell.circularCredits);
      w.num(cell.arrivals);
    }
  }

  restoreSnapshot(r: SnapshotReader): void {
    for (let n = r.count(); n > 0; n--) {
      this.table.insert({ ...readId(r), receivedCash: r.big(), receivedCredits: r.big(), circularCredits: r.big(), arrivals: r.num() });
    }
  }
}

const newArrivalCell = (id: RevenueCellId): RevenueCell => ({ ...id, receivedCash: 0n, receivedCredits: 0n, circularCredits: 0n, arrivals: 0 });
const newCashCell = (id: RevenueCellId) => ({ ...id, cash: 0n });

/**
 * Per cell, under one policy, the returnedCash that arrivals closed: the provider group's own
 * investments coming back. Order matters, so it is saved and restored with the pools.
 */
export class CircularCash {
  private table = new CellTable<RevenueCellId & { cash: bigint }>();

  /** `amount` closed by an arrival at `occurredKey`. */
  add(providerGroup: string, customerGroup: string, currency: CurrencyCode, occurredKey: string, amount: bigint): void {
    this.table.cellAt(providerGroup, customerGroup, currency, occurredKey, newCashCell).cash += amount;
  }

  of(id: RevenueCellId): bigint {
    return this.table.find(id)?.cash ?? 0n;
  }

  clone(): CircularCash {
    const copy = new CircularCash();
    for (const cell of this.table.values()) copy.table.insert({ ...cell });
    return copy;
  }

  snapshot(w: SnapshotWriter): void {
    const cells = this.table.values();
    w.num(cells.length);
    for (const cell of cells) {
      writeId(w, cell);
      w.big(cell.cash);
    }
  }

  restoreSnapshot(r: SnapshotReader): void {
    for (let n = r.count(); n > 0; n--) this.table.insert({ ...readId(r), cash: r.big() });
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
