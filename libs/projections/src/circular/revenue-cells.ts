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

const GROUPS_BITS = 2 ** 21; // group numbers below 2,097,152: a pair of them is an exact number
const MONTH_BITS = 2 ** 17; // months since year 0 below 131,072 (years 0000–9999)

/**
 * Cells in columns: each cell's provider group, customer group, currency and month as numbers in
 * typed arrays, and `width` columns of BigInt figures. An arrival finds its cell through two
 * number-keyed maps, with no key string or object made; a snapshot is a few copies of typed
 * arrays and the figures, and a copy (a save of the pools) shares nothing. The lookup index is
 * rebuilt when first needed after a copy or a restore.
 */
export class RevenueCells {
  size = 0;
  private readonly groups: string[] = [];
  private readonly groupNumbers = new Map<string, number>();
  private readonly currencies: string[] = [];
  private readonly currencyNumbers = new Map<string, number>();
  private provider = new Int32Array(64);
  private customer = new Int32Array(64);
  private currency = new Int32Array(64);
  private month = new Int32Array(64);
  readonly figures: bigint[][];
  /** (provider, customer) → (currency, month) → cell; null until needed. */
  private index: Map<number, Map<number, number>> | null = new Map();

  constructor(private readonly width: number) {
    this.figures = Array.from({ length: width }, () => []);
  }

  /** The cell of an instant key's month, made (its figures zero) when there is none. */
  cellAt(providerGroup: string, customerGroup: string, currency: CurrencyCode, occurredKey: string): number {
    const p = this.numberOf(providerGroup, this.groups, this.groupNumbers);
    const c = this.numberOf(customerGroup, this.groups, this.groupNumbers);
    const k = this.numberOf(currency, this.currencies, this.currencyNumbers);
    const m = monthNumber(occurredKey);
    const months = this.monthsOf(p * GROUPS_BITS + c);
    const key = k * MONTH_BITS + m;
    const found = months.get(key);
    if (found !== undefined) return found;
    const cell = this.push(p, c, k, m);
    months.set(key, cell);
    return cell;
  }

  /** The cell of an id, -1 for none. */
  find(id: RevenueCellId): number {
    const p = this.groupNumbers.get(id.providerGroup);
    const c = this.groupNumbers.get(id.customerGroup);
    const k = this.currencyNumbers.get(id.currency);
    if (p === undefined || c === undefined || k === undefined) return -1;
    return this.monthsOf(p * GROUPS_BITS + c).get(k * MONTH_BITS + monthNumber(id.month)) ?? -1;
  }

  idOf(cell: number): RevenueCellId {
    const month = this.month[cell];
    const label = `${String(Math.floor(month / 12)).padStart(4, '0')}-${String((month % 12) + 1).padStart(2, '0')}`;
    return {
      providerGroup: this.groups[this.provider[cell]],
      customerGroup: this.groups[this.customer[cell]],
      currency: this.currencies[this.currency[cell]] as CurrencyCode,
      month: label,
    };
  }

  clone(): RevenueCells {
    const copy = new RevenueCells(this.width);
    copy.copyFrom(this);
    return copy;
  }

  snapshot(w: SnapshotWriter): void {
    w.num(this.groups.length);
    for (const group of this.groups) w.str(group);
    w.num(this.currencies.length);
    for (const currency of this.currencies) w.str(currency);
    for (const column of [this.provider, this.customer, this.currency, this.month]) w.i32s(column, this.size);
    for (const figures of this.figures) for (let cell = 0; cell < this.size; cell++) w.big(figures[cell]);
  }

  /** Fills an empty table from a snapshot. */
  restoreSnapshot(r: SnapshotReader): void {
    for (let n = r.count(); n > 0; n--) this.numberOf(r.str(), this.groups, this.groupNumbers);
    for (let n = r.count(); n > 0; n--) this.numberOf(r.str(), this.currencies, this.currencyNumbers);
    [this.provider, this.customer, this.currency, this.month] = [r.i32s(), r.i32s(), r.i32s(), r.i32s()];
    this.size = this.provider.length;
    const bounds = [this.groups.length, this.groups.length, this.currencies.length, MONTH_BITS];
    [this.provider, this.customer, this.currency, this.month].forEach((column, i) => {
      if (column.length !== this.size || column.some((value) => value < 0 || value >= bounds[i])) throw new Error('snapshot holds a bad revenue cell');
    });
    for (const figures of this.figures) for (let cell = 0; cell < this.size; cell++) figures.push(r.big());
    this.index = null;
  }

  private copyFrom(other: RevenueCells): void {
    this.groups.push(...other.groups);
    other.groupNumbers.forEach((number, group) => this.groupNumbers.set(group, number));
    this.currencies.push(...other.currencies);
    other.currencyNumbers.forEach((number, currency) => this.currencyNumbers.set(currency, number));
    this.provider = other.provider.slice();
    this.customer = other.customer.slice();
    this.currency = other.currency.slice();
    this.month = other.month.slice();
    this.size = other.size;
    other.figures.forEach((figures, i) => (this.figures[i] = figures.slice(0, other.size)));
    this.index = null;
  }

  private push(p: number, c: number, k: number, m: number): number {
    if (this.size === this.provider.length) {
      const grow = (column: Int32Array) => {
        const grown = new Int32Array(Math.max(64, column.length * 2));
        grown.set(column);
        return grown;
      };
      this.provider = grow(this.provider);
      this.customer = grow(this.customer);
      this.currency = grow(this.currency);
      this.month = grow(this.month);
    }
    const cell = this.size++;
    this.provider[cell] = p;
    this.customer[cell] = c;
    this.currency[cell] = k;
    this.month[cell] = m;
    for (const figures of this.figures) figures.push(0n);
    return cell;
  }

  private monthsOf(pair: number): Map<number, number> {
    const index = this.index ?? this.rebuildIndex();
    let months = index.get(pair);
    if (!months) index.set(pair, (months = new Map()));
    return months;
  }

  private rebuildIndex(): Map<number, Map<number, number>> {
    const index = new Map<number, Map<number, number>>();
    for (let cell = 0; cell < this.size; cell++) {
      const pair = this.provider[cell] * GROUPS_BITS + this.customer[cell];
      let months = index.get(pair);
      if (!months) index.set(pair, (months = new Map()));
      months.set(this.currency[cell] * MONTH_BITS + this.month[cell], cell);
    }
    return (this.index = index);
  }

  private numberOf(text: string, list: string[], numbers: Map<string, number>): number {
    let number = numbers.get(text);
    if (number === undefined) {
      number = list.length;
      if (list === this.groups && number >= GROUPS_BITS) throw new Error(`more than ${GROUPS_BITS} groups in circular revenue`);
      list.push(text);
      numbers.set(text, number);
    }
    return number;
  }
}

/** Months since year 0 of an instant key or a month label (`2025-07…`), read off its digits. */
function monthNumber(text: string): number {
  const digit = (at: number) => text.charCodeAt(at) - 48;
  return (digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3)) * 12 + digit(5) * 10 + digit(6) - 1;
}
