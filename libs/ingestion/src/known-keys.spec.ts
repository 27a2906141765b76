import fc from 'fast-check';
import { KnownKeys } from './known-keys';

describe('KnownKeys', () => {
  it('never says "certainly not" of a key it was given, across growth', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 40 }), { maxLength: 3000 }), (keys) => {
        const known = new KnownKeys(64);
        for (const key of keys) known.add(key);
        expect(keys.every((key) => known.mightContain(key))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('says "perhaps" of absent keys rarely', () => {
    const known = new KnownKeys(1024);
    for (let i = 0; i < 100_000; i++) known.add(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    let falsePositives = 0;
    for (let i = 0; i < 100_000; i++) if (known.mightContain(`invoice-${i}`)) falsePositives += 1;
    expect(falsePositives).toBeLessThan(5000); // a few percent across the grown filters
  });
});
