import type { SnapshotReader, SnapshotWriter } from '../snapshots/snapshot-codec';
import { exactHaircut, NARROW_LIMIT, NARROW_LIMIT_BIG, narrowHaircut } from './haircut';

/**
 * The takes of one outflow, tag by tag: a scratch buffer reused across outflows. The amounts are
 * numbers (exact integers below NARROW_LIMIT) unless the outflow left a wide pool.
 */
export class Takes {
  count = 0;
  tags = new Int32Array(64);
  amounts = new Float64Array(64);
  wide = false;
  wideAmounts: bigint[] = [];

  reset(wide: boolean): void {
    this.count = 0;
    this.wide = wide;
  }

  push(tag: number, amount: number): void {
    this.grow();
    this.tags[this.count] = tag;
    this.amounts[this.count++] = amount;
  }

  pushWide(tag: number, amount: bigint): void {
    this.grow();
    this.tags[this.count] = tag;
    this.wideAmounts[this.count++] = amount;
  }

  amountAt(i: number): bigint {
    return this.wide ? this.wideAmounts[i] : BigInt(this.amounts[i]);
  }

  private grow(): void {
    if (this.count < this.tags.length) return;
    const tags = new Int32Array(this.tags.length * 2);
    tags.set(this.tags);
    this.tags = tags;
    const amounts = new Float64Array(tags.length);
    amounts.set(this.amounts);
    this.amounts = amounts;
  }
}

/**
 * One party's cash pool in one currency under pro_rata: the total T and, per tag (an investment's
 * index), the amount a_t of the pool that carries it, in minor units. Tags sit in slots of a typed
 * array with an open-addressing index from tag to slot; a tag whose amount falls to zero keeps its
 * slot (it is skipped) until the pool is compacted or drained.
 *
 * A pool is narrow while T and every a_t are below NARROW_LIMIT: they are exact integers in a
 * Float64Array and a take allocates nothing (see narrowHaircut). An amount that would reach the
 * limit widens the pool for good: BigInt from then on, the contract's rule as written.
 */
export class ProRataPool {
  size = 0;
  tags: Int32Array;
  /** Which copy this is (see Copies): a pool whose epoch is not its tracer's is shared with a save. */
  epoch = 0;
  /** Narrow: T and a_t. */
  private narrowTotal = 0;
  private held: Float64Array;
  /** Wide (null while narrow): T and a_t. */
  private wideTotal = 0n;
  private wideHeld: bigint[] | null = null;
  /** tag → slot + 1 (0: empty), linear probing, capacity a power of two. */
  private index: Int32Array;
  private zeros = 0;

  constructor(capacity = 4) {
    this.tags = new Int32Array(capacity);
    this.held = new Float64Array(capacity);
    this.index = new Int32Array(capacity * 2);
  }

  get total(): bigint {
    return this.wideHeld === null ? BigInt(this.narrowTotal) : this.wideTotal;
  }

  /** T += amount: money arrives, whatever it carries (its tags are added on their own). */
  receive(amount: bigint): void {
    if (this.wideHeld === null) {
      if (amount < NARROW_LIMIT_BIG) {
        const total = this.narrowTotal + Number(amount);
        if (total < NARROW_LIMIT) {
          this.narrowTotal = total;
          return;
        }
      }
      this.widen();
    }
    this.wideTotal += amount;
  }

  /** a_t += amount. */
  add(tag: number, amount: bigint): void {
    if (this.wideHeld === null && amount < NARROW_LIMIT_BIG) return this.addNarrow(tag, Number(amount));
    const slot = this.slotOf(tag);
    this.widen();
    this.addWideAt(slot, amount);
  }

  /** a_t += amount, an exact integer below NARROW_LIMIT (a take of a narrow pool). */
  addNarrow(tag: number, amount: number): void {
    const slot = this.slotOf(tag);
    if (this.wideHeld === null) {
      const before = this.held[slot];
      const after = before + amount;
      if (after < NARROW_LIMIT) {
        if (before === 0) this.zeros -= 1;
        this.held[slot] = after;
        return;
      }
      this.widen();
    }
    this.addWideAt(slot, BigInt(amount));
  }

  /**
   * An outflow of `amount`: each tag gives its haircut (all it holds when amount ≥ T), written
   * into `out`; T falls by the amount, never below zero.
   */
  take(amount: bigint, out: Takes): void {
    if (this.wideHeld !== null) return this.takeWide(amount, out);
    out.reset(false);
    const total = this.narrowTotal;
    const held = this.held;
    if (amount >= total) {
      for (let slot = 0; slot < this.size; slot++) if (held[slot] !== 0) out.push(this.tags[slot], held[slot]);
      this.clear();
      return;
    }
    const outflow = Number(amount);
    for (let slot = 0; slot < this.size; slot++) {
      const before = held[slot];
      if (before === 0) continue;
      const take = narrowHaircut(outflow, total, before);
      if (take === 0) continue;
      out.push(this.tags[slot], take);
      held[slot] = before - take;
      if (before === take) this.zeros += 1;
    }
    this.narrowTotal = total - outflow;
    if (this.zeros > 16 && this.zeros * 2 > this.size) this.compact();
  }

  /** a_t exactly (0n for a tag the pool never held). */
  amountOf(tag: number): bigint {
    const slot = this.find(tag);
    return slot < 0 ? 0n : this.amountAt(slot);
  }

  /** Every tag with a non-zero amount. */
  forEachTag(each: (tag: number, amount: bigint) => void): void {
    for (let slot = 0; slot < this.size; slot++) {
      const amount = this.amountAt(slot);
      if (amount !== 0n) each(this.tags[slot], amount);
    }
  }

  clone(): ProRataPool {
    const copy = new ProRataPool(1);
    copy.size = this.size;
    copy.tags = this.tags.slice();
    copy.narrowTotal = this.narrowTotal;
    copy.held = this.held.slice();
    copy.wideTotal = this.wideTotal;
    copy.wideHeld = this.wideHeld === null ? null : this.wideHeld.slice(0, this.size);
    copy.index = this.index.slice();
    copy.zeros = this.zeros;
    return copy;
  }

  snapshot(w: SnapshotWriter): void {
    w.big(this.total);
    w.i32s(this.tags, this.size);
    for (let slot = 0; slot < this.size; slot++) w.big(this.amountAt(slot));
  }

  static fromSnapshot(r: SnapshotReader): ProRataPool {
    const total = r.big();
    const tags = r.i32s();
    let capacity = 4;
    while (capacity < tags.length) capacity *= 2;
    const pool = new ProRataPool(capacity);
    pool.size = tags.length;
    pool.tags.set(tags);
    const amounts: bigint[] = [];
    for (let slot = 0; slot < pool.size; slot++) amounts.push(r.big());
    if (total < NARROW_LIMIT_BIG && amounts.every((amount) => amount < NARROW_LIMIT_BIG)) {
      pool.narrowTotal = Number(total);
      amounts.forEach((amount, slot) => (pool.held[slot] = Number(amount)));
    } else {
      pool.wideTotal = total;
      pool.wideHeld = amounts;
    }
    pool.zeros = amounts.filter((amount) => amount === 0n).length;
    pool.rebuildIndex(capacity * 2);
    return pool;
  }

  private amountAt(slot: number): bigint {
    return this.wideHeld === null ? BigInt(this.held[slot]) : this.wideHeld[slot];
  }

  private takeWide(amount: bigint, out: Takes): void {
    out.reset(true);
    const total = this.wideTotal;
    const held = this.wideHeld!;
    if (amount >= total) {
      for (let slot = 0; slot < this.size; slot++) if (held[slot] !== 0n) out.pushWide(this.tags[slot], held[slot]);
      this.clear();
      return;
    }
    for (let slot = 0; slot < this.size; slot++) {
      const before = held[slot];
      if (before === 0n) continue;
      const take = exactHaircut(amount, total, before);
      if (take === 0n) continue;
      out.pushWide(this.tags[slot], take);
      held[slot] = before - take;
      if (before === take) this.zeros += 1;
    }
    this.wideTotal = total - amount;
    if (this.zeros > 16 && this.zeros * 2 > this.size) this.compact();
  }

  private addWideAt(slot: number, amount: bigint): void {
    const held = this.wideHeld!;
    const before = held[slot];
    if (before === 0n) this.zeros -= 1;
    held[slot] = before + amount;
  }

  private widen(): void {
    if (this.wideHeld !== null) return;
    this.wideTotal = BigInt(this.narrowTotal);
    this.wideHeld = Array.from(this.held.subarray(0, this.size), BigInt);
  }

  /** Empty, and narrow again. */
  private clear(): void {
    this.size = 0;
    this.zeros = 0;
    this.narrowTotal = 0;
    this.held.fill(0);
    this.wideTotal = 0n;
    this.wideHeld = null;
    this.index.fill(0);
  }

  /** Drops the slots of tags that hold nothing. */
  private compact(): void {
    const tags = this.tags;
    const held = this.held;
    const wide = this.wideHeld;
    let kept = 0;
    for (let slot = 0; slot < this.size; slot++) {
      if (wide === null ? held[slot] === 0 : wide[slot] === 0n) continue;
      tags[kept] = tags[slot];
      if (wide === null) held[kept] = held[slot];
      else wide[kept] = wide[slot];
      kept += 1;
    }
    held.fill(0, kept);
    if (wide !== null) wide.length = kept;
    this.size = kept;
    this.zeros = 0;
    this.rebuildIndex(this.index.length);
  }

  private find(tag: number): number {
    const index = this.index;
    const mask = index.length - 1;
    for (let probe = hash(tag) & mask; ; probe = (probe + 1) & mask) {
      const entry = index[probe];
      if (entry === 0) return -1;
      if (this.tags[entry - 1] === tag) return entry - 1;
    }
  }

  /** The tag's slot, made (with amount 0) if the pool has none for it. */
  private slotOf(tag: number): number {
    const index = this.index;
    const mask = index.length - 1;
    let probe = hash(tag) & mask;
    for (;;) {
      const entry = index[probe];
      if (entry === 0) break;
      if (this.tags[entry - 1] === tag) return entry - 1;
      probe = (probe + 1) & mask;
    }
    if (this.size === this.tags.length) {
      const tags = new Int32Array(this.size * 2);
      tags.set(this.tags);
      this.tags = tags;
      const held = new Float64Array(tags.length);
      held.set(this.held);
      this.held = held;
    }
    const slot = this.size++;
    this.tags[slot] = tag;
    this.held[slot] = 0;
    if (this.wideHeld !== null) this.wideHeld[slot] = 0n;
    this.zeros += 1;
    if (this.size * 2 > index.length) this.rebuildIndex(index.length * 2);
    else index[probe] = slot + 1;
    return slot;
  }

  private rebuildIndex(capacity: number): void {
    const index = capacity === this.index.length ? this.index.fill(0) : new Int32Array(capacity);
    const mask = capacity - 1;
    for (let slot = 0; slot < this.size; slot++) {
      let probe = hash(this.tags[slot]) & mask;
      while (index[probe] !== 0) probe = (probe + 1) & mask;
      index[probe] = slot + 1;
    }
    this.index = index;
  }
}

function hash(tag: number): number {
  return Math.imul(tag, 0x9e3779b1) >>> 0;
}
