import type { CurrencyCode } from '@capflow/contracts';
import type { SnapshotReader, SnapshotWriter } from '../snapshots/snapshot-codec';
import { RevenueCellId, RevenueCells } from './revenue-cells';


export interface RevenueCell extends RevenueCellId {
  receivedCash: bigint;
  receivedCredits: bigint;
  circularCredits: bigint;
  /** Arrivals in the cell (a reversal takes one out): the report has a row while there is one. */
  arrivals: number;
}

const RECEIVED_CASH = 0;
const RECEIVED_CREDITS = 1;
const CIRCULAR_CREDITS = 2;
const ARRIVALS = 3;

/**
 * Revenue arriving from one group at another, per cell: what does not depend on order (the cash
 * and credits received, the credits of grants that came with an investment, and how many
 * arrivals the cell holds).
 */
export class RevenueArrivals {
  private readonly table = new RevenueCells(4);

  /** Every cell, for a report. */
  get cells(): RevenueCell[] {
    const [cash, credits, circular, arrivals] = this.table.figures;
    return Array.from({ length: this.table.size }, (_, cell) => ({
      ...this.table.idOf(cell),
      receivedCash: cash[cell],
      receivedCredits: credits[cell],
      circularCredits: circular[cell],
      arrivals: Number(arrivals[cell]),
    }));
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
    const cell = this.table.cellAt(providerGroup, customerGroup, currency, occurredKey);
    const figures = this.table.figures;
    figures[ARRIVALS][cell] += sign;
    if (method === 'cash') figures[RECEIVED_CASH][cell] += amount;
    else {
      figures[RECEIVED_CREDITS][cell] += amount;
      if (fromInvestment) figures[CIRCULAR_CREDITS][cell] += amount;
    }
  }

  snapshot(w: SnapshotWriter): void {
    this.table.snapshot(w);
  }

  restoreSnapshot(r: SnapshotReader): void {
    this.table.restoreSnapshot(r);
  }
}

/**
 * Per cell, under one policy, the returnedCash that arrivals closed: the provider group's own
 * investments coming back. Order matters, so it is saved and restored with the pools.
 */
export class CircularCash {
  private table = new RevenueCells(1);

  /** `amount` closed by an arrival at `occurredKey`. */
  add(providerGroup: string, customerGroup: string, currency: CurrencyCode, occurredKey: string, amount: bigint): void {
    this.table.figures[0][this.table.cellAt(providerGroup, customerGroup, currency, occurredKey)] += amount;
  }

  of(id: RevenueCellId): bigint {
    const cell = this.table.find(id);
    return cell < 0 ? 0n : this.table.figures[0][cell];
  }

  clone(): CircularCash {
    const copy = new CircularCash();
    copy.table = this.table.clone();
    return copy;
  }

  snapshot(w: SnapshotWriter): void {
    this.table.snapshot(w);
  }

  restoreSnapshot(r: SnapshotReader): void {
    this.table.restoreSnapshot(r);
  }
}
