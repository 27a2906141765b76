/**
 * A set that answers "certainly not present" or "perhaps present" (a scalable Bloom filter):
 * ingestion asks it before looking an eventId or a stream up in the store, since nearly every
 * fact is new. It never forgets and never says "absent" of something added, so skipping the
 * lookup on "certainly not" is exact; "perhaps" (about 1 in 100 for absent keys) costs a lookup.
 * About 1.2 bytes per key.
 */
export class KnownKeys {
  private readonly filters: BloomFilter[] = [];
  private capacity: number;

  constructor(initialCapacity = 1 << 16) {
    this.capacity = initialCapacity;
    this.filters.push(new BloomFilter(initialCapacity));
  }

  add(key: string): void {
    let filter = this.filters[this.filters.length - 1];
    if (filter.count >= this.capacity) {
      this.capacity *= 2;
      filter = new BloomFilter(this.capacity);
      this.filters.push(filter);
    }
    filter.add(key);
  }

  mightContain(key: string): boolean {
    const [a, b] = hashes(key);
    for (const filter of this.filters) if (filter.test(a, b)) return true;
    return false;
  }
}

/** Bits per key and probes for a false-positive rate of about 1%, per filter. */
const BITS_PER_KEY = 10;
const PROBES = 7;

class BloomFilter {
  count = 0;
  private readonly bits: Uint32Array;
  private readonly size: number;

  constructor(capacity: number) {
    this.size = capacity * BITS_PER_KEY;
    this.bits = new Uint32Array(Math.ceil(this.size / 32));
  }

  add(key: string): void {
    const [a, b] = hashes(key);
    for (let i = 0; i < PROBES; i++) {
      const bit = (a + i * b) % this.size;
      this.bits[bit >>> 5] |= 1 << (bit & 31);
    }
    this.count += 1;
  }

  test(a: number, b: number): boolean {
    for (let i = 0; i < PROBES; i++) {
      const bit = (a + i * b) % this.size;
      if ((this.bits[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** Two independent 32-bit FNV-1a style hashes (double hashing gives the probes). */
function hashes(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, (b | 1) >>> 0];
}
