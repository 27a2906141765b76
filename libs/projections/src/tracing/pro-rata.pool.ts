import type { SnapshotReader, SnapshotWriter } from '../snapshots/snapshot-codec';
import { exactHaircut, narrowHaircut } from './haircut';

/** Integers up to this are exact as doubles, and so are sums and differences that stay below it. */
const SAFE = Number.MAX_SAFE_INTEGER;
const SAFE_BIG = BigInt(SAFE);

/**
 * The takes of one outflow, tag by tag: a scratch buffer reused across outflows. Amounts are
 * doubles (`narrow`) when the pool they came from is narrow, else BigInts (`wide`).
 */
export class Takes {
  count = 0;
  tags: Int32Array = new Int32Array(64);
  narrow: Float64Array = new Float64Array(64);
  wide: bigint[] = [];
  isWide = false;

  reset(wide: boolean): void {
    this.count = 0;
    this.isWide = wide;
  }

  /** The i-th take, exactly. */
  amountAt(i: number): bigint {
    return this.isWide ? this.wide[i] : BigInt(this.narrow[i]);
  }

  pushNarrow(tag: number, amount: number): void {
    const i = this.room();
    this.tags[i] = tag;
    this.narrow[i] = amount;
  }

  pushWide(tag: number, amount: bigint): void {
    const i = this.room();
    this.tags[i] = tag;
    this.wide[i] = amount;
  }

  private room(): number {
    if (this.count === this.tags.length) {
      this.tags = grownInt32(this.tags, this.count * 2);
      this.narrow = grownFloat64(this.narrow, this.count * 2);
    }
    return this.count++;
  }
}

/**
 * One party's cash pool in one currency under pro_rata: the total T and, per tag (an investment's
 * index), the amount a_t of the pool that carries it, in minor units. Tags sit in slots of a typed
 * array with an open-addressing index from tag to slot; a tag whose amount falls to zero keeps its
 * slot (it is skipped) until the pool is compacted or drained.
 *
 * Amounts are exact integers either way: while T and every a_t fit a double exactly (below 2⁵³,
 * as nearly every pool's do) the pool is narrow and keeps them in a Float64Array, so a move
 * allocates nothing per tag; the first amount past that makes it wide, in BigInts, until drained.
 */
export class ProRataPool {
  size = 0;
  tags: Int32Array;
  /** Which copy this is (see Copies): a pool whose epoch is not its tracer's is shared with a save. */
  epoch = 0;
  private wide = false;
  private totalNarrow = 0;
  private heldNarrow: Float64Array;
  private totalWide = 0n;
  private heldWide: bigint[] = [];
  /** tag → slot + 1 (0: empty), linear probing, capacity a power of two. */
  private index: Int32Array;
  private zeros = 0;

  constructor(capacity = 4) {
    this.tags = new Int32Array(capacity);
    this.heldNarrow = new Float64Array(capacity);
    this.index = new Int32Array(capacity * 2);
  }

  /** T. */
  get total(): bigint {
    return this.wide ? this.totalWide : BigInt(this.totalNarrow);
  }

  /** T += amount: money arrives (its tags, if any, are added with add). */
  inflow(amount: bigint): void {
    if (!this.wide && amount <= SAFE_BIG) {
      const total = this.totalNarrow + Number(amount);
      if (total <= SAFE) {
        this.totalNarrow = total;
        return;
      }
    }
    this.widen();
    this.totalWide += amount;
  }

  /** T += amount, for an amount that is a double. */
  inflowNarrow(amount: number): void {
    const total = this.totalNarrow + amount;
    if (!this.wide && total <= SAFE) this.totalNarrow = total;
    else this.inflow(BigInt(amount));
  }

  /** a_t += amount. */
  add(tag: number, amount: bigint): void {
    if (!this.wide && amount <= SAFE_BIG) this.addNarrow(tag, Number(amount));
    else {
      this.widen();
      const slot = this.slotOf(tag);
      const before = this.heldWide[slot];
      if (before === 0n) this.zeros -= 1;
      this.heldWide[slot] = before + amount;
    }
  }

  /** a_t += amount, for an amount that is a double. */
  addNarrow(tag: number, amount: number): void {
    const slot = this.slotOf(tag);
    if (this.wide) {
      const before = this.heldWide[slot];
      if (before === 0n) this.zeros -= 1;
      this.heldWide[slot] = before + BigInt(amount);
      return;
    }
    const before = this.heldNarrow[slot];
    const after = before + amount;
    if (after > SAFE) {
      this.widen();
      this.heldWide[slot] = BigInt(before) + BigInt(amount);
    } else this.heldNarrow[slot] = after;
    if (before === 0) this.zeros -= 1;
  }

  /**
   * An outflow of `amount`: each tag gives its haircut (all it holds when amount ≥ T), written
   * into `out`; T falls by the amount, never below zero.
   */
  take(amount: bigint, out: Takes): void {
    if (this.wide) return this.takeWide(amount, out);
    out.reset(false);
    const total = this.totalNarrow;
    const held = this.heldNarrow;
    const tags = this.tags;
    if (amount >= SAFE_BIG || Number(amount) >= total) {
      for (let slot = 0; slot < this.size; slot++) if (held[slot] !== 0) out.pushNarrow(tags[slot], held[slot]);
      this.clear();
      return;
    }
    const outflow = Number(amount);
    for (let slot = 0; slot < this.size; slot++) {
      const before = held[slot];
      if (before === 0) continue;
      const take = narrowHaircut(outflow, total, before);
      if (take === 0) continue;
      out.pushNarrow(tags[slot], take);
      held[slot] = before - take;
      if (before === take) this.zeros += 1;
    }
    this.totalNarrow = total - outflow;
    if (this.zeros > 16 && this.zeros * 2 > this.size) this.compact();
  }

  /** a_t exactly (0n for a tag the pool never held). */
  amountOf(tag: number): bigint {
    const slot = this.find(tag);
    return slot < 0 ? 0n : this.heldAt(slot);
  }

  /** Every tag with a non-zero amount. */
  forEachTag(each: (tag: number, amount: bigint) => void): void {
    for (let slot = 0; slot < this.size; slot++) {
      const amount = this.heldAt(slot);
      if (amount !== 0n) each(this.tags[slot], amount);
    }
  }

  clone(): ProRataPool {
    const copy = new ProRataPool(1);
    copy.size = this.size;
    copy.tags = this.tags.slice();
    copy.wide = this.wide;
    copy.totalNarrow = this.totalNarrow;
    copy.heldNarrow = this.heldNarrow.slice();
    copy.totalWide = this.totalWide;
    copy.heldWide = this.wide ? this.heldWide.slice(0, this.size) : [];
    copy.index = this.index.slice();
    copy.zeros = this.zeros;
    return copy;
  }

  /** The same bytes narrow or wide: a snapshot does not depend on how the pool held its amounts. */
  snapshot(w: SnapshotWriter): void {
    w.big(this.total);
    w.i32s(this.tags, this.size);
    for (let slot = 0; slot < this.size; slot++) w.big(this.heldAt(slot));
  }

  static fromSnapshot(r: SnapshotReader): ProRataPool {
    const total = r.big();
    const tags = r.i32s();
    let capacity = 4;
    while (capacity < tags.length) capacity *= 2;
    const pool = new ProRataPool(capacity);
    pool.inflow(total);
    pool.size = tags.length;
    pool.tags.set(tags);
    const held: bigint[] = [];
    for (let slot = 0; slot < pool.size; slot++) {
      const amount = r.big();
      held.push(amount);
      if (amount === 0n) pool.zeros += 1;
      if (amount > SAFE_BIG) pool.widen();
    }
    if (pool.wide) pool.heldWide = held;
    else for (let slot = 0; slot < pool.size; slot++) pool.heldNarrow[slot] = Number(held[slot]);
    pool.rebuildIndex(capacity * 2);
    return pool;
  }

  private heldAt(slot: number): bigint {
    return this.wide ? this.heldWide[slot] : BigInt(this.heldNarrow[slot]);
  }

  /** The take of a wide pool: the rule in BigInt, tag by tag. */
  private takeWide(amount: bigint, out: Takes): void {
    out.reset(true);
    const total = this.totalWide;
    const held = this.heldWide;
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
    this.totalWide = total - amount;
    if (this.zeros > 16 && this.zeros * 2 > this.size) this.compact();
  }

  /** From doubles to BigInts, for good (until the pool is drained). */
  private widen(): void {
    if (this.wide) return;
    this.wide = true;
    this.totalWide = BigInt(this.totalNarrow);
    this.heldWide = [];
    for (let slot = 0; slot < this.size; slot++) this.heldWide.push(BigInt(this.heldNarrow[slot]));
  }

  private clear(): void {
    this.wide = false;
    this.totalNarrow = 0;
    this.totalWide = 0n;
    this.size = 0;
    this.zeros = 0;
    this.heldWide = [];
    this.index.fill(0);
  }

  /** Drops the slots of tags that hold nothing. */
  private compact(): void {
    const tags = this.tags;
    let kept = 0;
    for (let slot = 0; slot < this.size; slot++) {
      if (this.wide ? this.heldWide[slot] === 0n : this.heldNarrow[slot] === 0) continue;
      tags[kept] = tags[slot];
      if (this.wide) this.heldWide[kept] = this.heldWide[slot];
      else this.heldNarrow[kept] = this.heldNarrow[slot];
      kept += 1;
    }
    if (this.wide) this.heldWide.length = kept;
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
      this.tags = grownInt32(this.tags, this.size * 2);
      this.heldNarrow = grownFloat64(this.heldNarrow, this.size * 2);
    }
    const slot = this.size++;
    this.tags[slot] = tag;
    this.heldNarrow[slot] = 0;
    if (this.wide) this.heldWide[slot] = 0n;
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

function grownInt32(values: Int32Array, capacity: number): Int32Array {
  const grown = new Int32Array(capacity);
  grown.set(values);
  return grown;
}

function grownFloat64(values: Float64Array, capacity: number): Float64Array {
  const grown = new Float64Array(capacity);
  grown.set(values);
  return grown;
}
