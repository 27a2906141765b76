import type { SnapshotReader, SnapshotWriter } from '../snapshots/snapshot-codec';

/** The takes of one outflow, tag by tag: a scratch buffer reused across outflows. */
export class Takes {
  count = 0;
  tags = new Int32Array(64);
  amounts: bigint[] = [];

  reset(): void {
    this.count = 0;
  }

  push(tag: number, amount: bigint): void {
    if (this.count === this.tags.length) {
      const tags = new Int32Array(this.tags.length * 2);
      tags.set(this.tags);
      this.tags = tags;
    }
    this.tags[this.count] = tag;
    this.amounts[this.count] = amount;
    this.count += 1;
  }
}

/**
 * One party's cash pool in one currency under pro_rata: the total T and, per tag (an investment's
 * index), the amount a_t of the pool that carries it, in BigInt minor units. Tags sit in slots of
 * a typed array with an open-addressing index from tag to slot; a tag whose amount falls to zero
 * keeps its slot (it is skipped) until the pool is compacted or drained.
 */
export class ProRataPool {
  total = 0n;
  size = 0;
  tags: Int32Array;
  held: bigint[] = [];
  /** Which copy this is (see Copies): a pool whose epoch is not its tracer's is shared with a save. */
  epoch = 0;
  /** tag → slot + 1 (0: empty), linear probing, capacity a power of two. */
  private index: Int32Array;
  private zeros = 0;

  constructor(capacity = 4) {
    this.tags = new Int32Array(capacity);
    this.index = new Int32Array(capacity * 2);
  }

  /** a_t += amount. */
  add(tag: number, amount: bigint): void {
    const slot = this.slotOf(tag);
    const before = this.held[slot];
    if (before === 0n) this.zeros -= 1;
    this.held[slot] = before + amount;
  }

  /**
   * An outflow of `amount`: each tag gives its haircut (all it holds when amount ≥ T), written
   * into `out`; T falls by the amount, never below zero.
   */
  take(amount: bigint, out: Takes): void {
    out.reset();
    const total = this.total;
    const held = this.held;
    if (amount >= total) {
      for (let slot = 0; slot < this.size; slot++) if (held[slot] !== 0n) out.push(this.tags[slot], held[slot]);
      this.clear();
      return;
    }
    if (amount === 0n) return; // no haircut, and no division by 2·A
    // exactHaircut with what is the same for every tag computed once: 2·A, 2·T, and the least
    // holding whose haircut is not zero (2·A·a ≥ T ⟺ a ≥ ⌈T / 2A⌉), so that a tag costs three
    // BigInt operations and the tags too small to give anything cost a comparison
    const twoAmount = 2n * amount;
    const twoTotal = 2n * total;
    const least = (total + twoAmount - 1n) / twoAmount;
    for (let slot = 0; slot < this.size; slot++) {
      const before = held[slot];
      if (before < least) continue;
      const take = (twoAmount * before + total) / twoTotal;
      out.push(this.tags[slot], take);
      held[slot] = before - take;
      if (before === take) this.zeros += 1;
    }
    this.total = total - amount;
    if (this.zeros > 16 && this.zeros * 2 > this.size) this.compact();
  }

  /** a_t exactly (0n for a tag the pool never held). */
  amountOf(tag: number): bigint {
    const slot = this.find(tag);
    return slot < 0 ? 0n : this.held[slot];
  }

  /** Every tag with a non-zero amount. */
  forEachTag(each: (tag: number, amount: bigint) => void): void {
    for (let slot = 0; slot < this.size; slot++) if (this.held[slot] !== 0n) each(this.tags[slot], this.held[slot]);
  }

  clone(): ProRataPool {
    const copy = new ProRataPool(1);
    copy.total = this.total;
    copy.size = this.size;
    copy.tags = this.tags.slice();
    copy.held = this.held.slice(0, this.size);
    copy.index = this.index.slice();
    copy.zeros = this.zeros;
    return copy;
  }

  snapshot(w: SnapshotWriter): void {
    w.big(this.total);
    w.i32s(this.tags, this.size);
    for (let slot = 0; slot < this.size; slot++) w.big(this.held[slot]);
  }

  static fromSnapshot(r: SnapshotReader): ProRataPool {
    const total = r.big();
    const tags = r.i32s();
    let capacity = 4;
    while (capacity < tags.length) capacity *= 2;
    const pool = new ProRataPool(capacity);
    pool.total = total;
    pool.size = tags.length;
    pool.tags.set(tags);
    for (let slot = 0; slot < pool.size; slot++) {
      const amount = r.big();
      pool.held.push(amount);
      if (amount === 0n) pool.zeros += 1;
    }
    pool.rebuildIndex(capacity * 2);
    return pool;
  }

  private clear(): void {
    this.total = 0n;
    this.size = 0;
    this.zeros = 0;
    this.held = [];
    this.index.fill(0);
  }

  /** Drops the slots of tags that hold nothing. */
  private compact(): void {
    const tags = this.tags;
    const held = this.held;
    let kept = 0;
    for (let slot = 0; slot < this.size; slot++) {
      if (held[slot] === 0n) continue;
      tags[kept] = tags[slot];
      held[kept] = held[slot];
      kept += 1;
    }
    held.length = kept;
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
    }
    const slot = this.size++;
    this.tags[slot] = tag;
    this.held[slot] = 0n;
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
