import fc from 'fast-check';
import { SnapshotReader, SnapshotWriter } from './snapshot-codec';

describe('the snapshot codec', () => {
  it('reads back every amount exactly: 64-bit ones as integers, larger ones (and the marker value itself) as digits', () => {
    const edges = [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n) + 1n, -(2n ** 63n), 2n ** 63n, 10n ** 23n - 1n, -(10n ** 23n) + 1n];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...edges), fc.bigInt({ min: -(10n ** 23n), max: 10n ** 23n })), { maxLength: 50 }), (amounts) => {
        const w = new SnapshotWriter();
        w.num(amounts.length);
        for (const amount of amounts) {
          w.big(amount);
          w.str('between');
        }
        const r = new SnapshotReader(w.finish('test'), 'test');
        const read: bigint[] = [];
        for (let n = r.count(); n > 0; n--) {
          read.push(r.big());
          expect(r.str()).toBe('between');
        }
        r.end();
        expect(read).toEqual(amounts);
      }),
    );
  });

  it('refuses bytes of another format, or cut short', () => {
    const w = new SnapshotWriter();
    w.big(5n);
    const bytes = w.finish('test');
    expect(() => new SnapshotReader(bytes, 'other')).toThrow('not a snapshot of format other');
    expect(() => new SnapshotReader(bytes.subarray(0, bytes.length - 1), 'test')).toThrow('lengths do not add up');
  });
});
