import type { SnapshotReader, SnapshotWriter } from '../snapshots/snapshot-codec';
import { estimateHaircut, exactHaircut } from './haircut';

/** Integers up to this are exact in a double. */
const SAFE = Number.MAX_SAFE_INTEGER;
const SAFE_BIG = BigInt(SAFE);

/**
 * The takes of one outflow, tag by tag: a scratch buffer reused across outflows so that the hot
 * path allocates nothing. An amount too large for a double is NaN in `amounts` and held in `bigs`.
 */
export class Takes {
  count = 0;
  tags = new Int32Array(64);
  amounts = new Float64Array(64);
  bigs = new Map<number, bigint>();

  reset(): void {
    this.count = 0;
    if (this.bigs.size > 0) this.bigs.clear();
  }

  push(tag: number, amount: number): void {
    if (this.count === this.tags.length) this.grow();
    this.tags[this.count] = tag;
    this.amounts[this.count] = amount;
    this.count += 1;
  }

  pushBig(tag: number, amount: bigint): void {
    if (amount <= SAFE_BIG) return this.push(tag, Number(amount));
    this.bigs.set(this.count, amount);
    this.push(tag, Number.NaN);
  }

  /** The i-th take, exactly. */
  bigAt(i: number): bigint {
    const amount = this.amounts[i];
    return amount === amount ? BigInt(amount) : this.bigs.get(i)!;
  }

  private grow(): void {
    const tags = new Int32Array(this.tags.length * 2);
    tags.set(this.tags);
    const amounts = new Float64Array(this.amounts.length * 2);
    amounts.set(this.amounts);
    this.tags = tags;
    this.amounts = amounts;
  }
}

/**
 * One party's cash pool in one currency under pro_rata: the total T and, per tag (an investment's
 * index), the amount a_t of the pool that carries it. Tags sit in slots of typed arrays with an
 * open-addressing index from tag to slot; an amount of 2^53 minor units or more is NaN in its
 * slot and held exactly as a BigInt beside it. A tag whose amount falls to zero keeps its slot
 * (it is skipped) until the pool is compacted or drained.
 */
export class ProRataPool {
  total = 0n;
  size = 0;
  tags: Int32Array;
  held: Float64Array;
  big: Map<number, bigint> | null = null;
  /** Which copy this is (see Copies): a pool whose epoch is not its tracer's is shared with a save. */
  epoch = 0;
  /** tag → slot + 1 (0: empty), linear probing, capacity a power of two. */
  private index: Int32Array;
  private zeros = 0;

  constructor(capacity = 4) {
    this.tags = new Int32Array(capacity);
    this.held = new Float64Array(capacity);
    this.index = new Int32Array(capacity * 2);
  }

  /** a_t += amount. */
  add(tag: number, amount: number): void {
    const slot = this.slotOf(tag);
    const before = this.held[slot];
    if (before === 0) this.zeros -= 1;
    const after = before + amount;
    if (after <= SAFE) this.held[slot] = after;
    else this.setBig(slot, this.bigAtSlot(slot) + BigInt(amount));
  }

  /** a_t += amount, for an amount that may not fit a double. */
  addBig(tag: number, amount: bigint): void {
    if (amount <= SAFE_BIG) return this.add(tag, Number(amount));
    const slot = this.slotOf(tag);
    if (this.held[slot] === 0) this.zeros -= 1;
    this.setBig(slot, this.bigAtSlot(slot) + amount);
  }

  /**
   * An outflow of `amount`: each tag gives its haircut (all it holds when amount ≥ T), written
   * into `out`; T falls by the amount, never below zero.
   */
  take(amount: bigint, out: Takes): void {
    out.reset();
    const total = this.total;
    if (amount >= total) {
      for (let slot = 0; slot < this.size; slot++) {
        const held = this.held[slot];
        if (held === 0) continue;
        if (held === held) out.push(this.tags[slot], held);
        else out.pushBig(this.tags[slot], this.big!.get(slot)!);
      }
      this.clear();
      return;
    }
    const ratio = Number(amount) / Number(total);
    const tags = this.tags;
    const heldOf = this.held;
    for (let slot = 0; slot < this.size; slot++) {
      const held = heldOf[slot];
      if (held === 0) continue;
      const take = held === held ? estimateHaircut(ratio, held) : -1;
      if (take === 0) continue;
      if (take > 0) {
        out.push(tags[slot], take);
        if (held === held) {
          heldOf[slot] = held - take;
          if (held === take) this.zeros += 1;
        } else this.setBig(slot, this.big!.get(slot)! - BigInt(take));
        continue;
      }
      // near a rounding boundary, or beyond what doubles carry: exactly
      const exactHeld = this.bigAtSlot(slot);
      const exact = exactHaircut(amount, total, exactHeld);
      if (exact === 0n) continue;
      out.pushBig(tags[slot], exact);
      const left = exactHeld - exact;
      if (left === 0n) this.zeros += 1;
      this.setBig(slot, left);
    }
    this.total = total - amount;
    if (this.zeros > 16 && this.zeros * 2 > this.size) this.compact();
  }

  /** a_t exactly (0n for a tag the pool never held). */
  amountOf(tag: number): bigint {
    const slot = this.find(tag);
    return slot < 0 ? 0n : this.bigAtSlot(slot);
  }

  /** Every tag with a non-zero amount. */
  forEachTag(each: (tag: number, amount: bigint) => void): void {
    for (let slot = 0; slot < this.size; slot++) {
      if (this.held[slot] !== 0) each(this.tags[slot], this.bigAtSlot(slot));
    }
  }

  clone(): ProRataPool {
    const copy = new ProRataPool(1);
    copy.total = this.total;
    copy.size = this.size;
    copy.tags = this.tags.slice();
    copy.held = this.held.slice();
    copy.index = this.index.slice();
    copy.zeros = this.zeros;
    copy.big = this.big && new Map(this.big);
    return copy;
  }

  snapshot(w: SnapshotWriter): void {
    w.big(this.total);
    w.i32s(this.tags, this.size);
    w.f64s(this.held, this.size);
    w.num(this.big?.size ?? 0);
    for (const [slot, amount] of this.big ?? []) {
      w.num(slot);
      w.big(amount);
    }
  }

  static fromSnapshot(r: SnapshotReader): ProRataPool {
    const total = r.big();
    const tags = r.i32s();
    const held = r.f64s();
    if (tags.length !== held.length) throw new Error('snapshot holds a pool whose tags and amounts differ in number');
    let capacity = 4;
    while (capacity < tags.length) capacity *= 2;
    const pool = new ProRataPool(capacity);
    pool.total = total;
    pool.size = tags.length;
    pool.tags.set(tags);
    pool.held.set(held);
    for (let n = r.count(); n > 0; n--) {
      const slot = r.num();
      if (!(held[slot] !== held[slot])) throw new Error(`snapshot holds a large amount for slot ${slot}, which is not marked so`);
      (pool.big ??= new Map()).set(slot, r.big());
    }
    for (let slot = 0; slot < pool.size; slot++) if (held[slot] === 0) pool.zeros += 1;
    pool.rebuildIndex(capacity * 2);
    return pool;
  }

  private bigAtSlot(slot: number): bigint {
    const held = this.held[slot];
    return held === held ? BigInt(held) : this.big!.get(slot)!;
  }

  /** Stores an exact amount: in the double when it fits, else beside it. */
  private setBig(slot: number, amount: bigint): void {
    if (amount <= SAFE_BIG) {
      this.held[slot] = Number(amount);
      this.big?.delete(slot);
    } else {
      this.held[slot] = Number.NaN;
      (this.big ??= new Map()).set(slot, amount);
    }
  }

  private clear(): void {
    this.total = 0n;
    this.size = 0;
    this.zeros = 0;
    this.big = null;
    this.index.fill(0);
  }

  /** Drops the slots of tags that hold nothing. */
  private compact(): void {
    const tags = this.tags;
    const held = this.held;
    const big = this.big;
    let kept = 0;
    const moved = big && new Map<number, bigint>();
    for (let slot = 0; slot < this.size; slot++) {
      if (held[slot] === 0) continue;
      tags[kept] = tags[slot];
      held[kept] = held[slot];
      if (moved && held[slot] !== held[slot]) moved.set(kept, big!.get(slot)!);
      kept += 1;
    }
    this.size = kept;
    this.zeros = 0;
    this.big = moved && moved.size > 0 ? moved : null;
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
      const held = new Float64Array(this.size * 2);
      held.set(this.held);
      this.tags = tags;
      this.held = held;
    }
    const slot = this.size++;
    this.tags[slot] = tag;
    this.held[slot] = 0;
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
