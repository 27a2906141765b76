import fc from 'fast-check';
import { ProRataPool, Takes } from './pro-rata.pool';

/** The largest amount the contract allows: 20 integer digits and 3 minor digits. */
const MAX_AMOUNT = 10n ** 23n - 1n;

/** Amounts over the whole range, small ones weighted up. */
const amount = fc.oneof(
  fc.bigInt({ min: 1n, max: 10_000n }),
  fc.bigInt({ min: 1n, max: 10n ** 12n }),
  fc.bigInt({ min: 2n ** 52n, max: 2n ** 54n }),
  fc.bigInt({ min: 1n, max: MAX_AMOUNT }),
);

/**
 * The pro_rata haircut as TRACING.md states it: an outflow of A from a pool of total T takes from
 * a tag holding a the amount floor((2·A·a + T) / (2·T)), A·a/T rounded half up, when A < T.
 */
function haircut(amount: bigint, total: bigint, held: bigint): bigint {
  return (2n * amount * held + total) / (2n * total);
}

/** The pool of TRACING.md in plain BigInt: what ProRataPool must equal, take for take. */
class ReferencePool {
  total = 0n;
  readonly tags = new Map<number, bigint>();

  add(tag: number, value: bigint): void {
    this.tags.set(tag, (this.tags.get(tag) ?? 0n) + value);
  }

  take(outflow: bigint): Map<number, bigint> {
    const takes = new Map<number, bigint>();
    for (const [tag, held] of this.tags) {
      const take = outflow < this.total ? haircut(outflow, this.total, held) : held;
      if (take === 0n) continue;
      takes.set(tag, take);
      this.tags.set(tag, held - take);
    }
    this.total = this.total > outflow ? this.total - outflow : 0n;
    return takes;
  }
}

function takesOf(out: Takes): Map<number, bigint> {
  const result = new Map<number, bigint>();
  for (let i = 0; i < out.count; i++) result.set(out.tags[i], out.amounts[i]);
  return result;
}

function amountsOf(pool: ProRataPool): Map<number, bigint> {
  const result = new Map<number, bigint>();
  pool.forEachTag((tag, value) => result.set(tag, value));
  return result;
}

function nonZero(tags: Map<number, bigint>): Map<number, bigint> {
  return new Map([...tags].filter(([, value]) => value !== 0n));
}

describe('a pro_rata pool', () => {
  type Step = { kind: 'add'; tag: number; value: bigint } | { kind: 'inflow'; value: bigint } | { kind: 'take'; value: bigint };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), tag: fc.integer({ min: 0, max: 40 }), value: amount }),
    fc.record({ kind: fc.constant('inflow' as const), value: amount }),
    fc.record({ kind: fc.constant('take' as const), value: amount }),
    fc.record({ kind: fc.constant('take' as const), value: fc.bigInt({ min: 1n, max: 1000n }) }),
  );

  it('takes exactly what the BigInt rule takes, step by step, over the full range of amounts', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 120 }), (steps) => {
        const pool = new ProRataPool();
        const reference = new ReferencePool();
        const out = new Takes();
        for (const s of steps) {
          if (s.kind === 'add') {
            // a tag's money is part of the pool's total, as arrivals make it
            pool.add(s.tag, s.value);
            pool.total += s.value;
            reference.add(s.tag, s.value);
            reference.total += s.value;
          } else if (s.kind === 'inflow') {
            pool.total += s.value;
            reference.total += s.value;
          } else {
            pool.take(s.value, out);
            expect(takesOf(out)).toEqual(reference.take(s.value));
          }
          expect(pool.total).toBe(reference.total);
          expect(amountsOf(pool)).toEqual(nonZero(reference.tags));
        }
        const copy = pool.clone();
        expect(amountsOf(copy)).toEqual(amountsOf(pool));
        for (const tag of reference.tags.keys()) expect(copy.amountOf(tag)).toBe(reference.tags.get(tag));
      }),
      { numRuns: 1_500 },
    );
  });

  it('gives nothing from a holding just below ⌈T / 2A⌉ and one unit from one at it', () => {
    fc.assert(
      fc.property(amount, amount, (x, y) => {
        const [outflow, rest] = [x, y];
        const total = outflow + rest; // A < T
        const least = (total + 2n * outflow - 1n) / (2n * outflow);
        const pool = new ProRataPool();
        const reference = new ReferencePool();
        const holdings = [least - 1n, least, least + 1n].filter((h) => h > 0n);
        holdings.forEach((held, tag) => {
          pool.add(tag, held);
          reference.add(tag, held);
        });
        pool.total = total;
        reference.total = total;
        const out = new Takes();
        pool.take(outflow, out);
        expect(takesOf(out)).toEqual(reference.take(outflow));
      }),
      { numRuns: 3_000 },
    );
  });

  it('keeps many tags apart through growth, compaction and draining', () => {
    const pool = new ProRataPool();
    const reference = new ReferencePool();
    const out = new Takes();
    for (let tag = 0; tag < 5000; tag++) {
      const value = BigInt(1 + ((tag * 7919) % 100_000));
      pool.add(tag, value);
      pool.total += value;
      reference.add(tag, value);
      reference.total += value;
    }
    for (let i = 0; i < 40; i++) {
      const outflow = reference.total / 3n + 1n;
      pool.take(outflow, out);
      expect(takesOf(out)).toEqual(reference.take(outflow));
      expect(amountsOf(pool)).toEqual(nonZero(reference.tags));
    }
    pool.take(pool.total, out);
    expect(takesOf(out)).toEqual(reference.take(reference.total));
    expect(amountsOf(pool).size).toBe(0);
    expect(pool.total).toBe(0n);
  });
});
