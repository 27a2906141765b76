import fc from 'fast-check';

/** The rule of TRACING.md, in BigInt only: the reference the tracer's faster share must match. */
const reference = (amount: bigint, total: bigint, held: bigint) => (2n * amount * held + total) / (2n * total);

describe('the pro_rata share of an outflow', () => {
  // reach the tracer's private helper through a pool: an outflow of A from a pool of T with one tag a_t
  const { ProRataTracer } = jest.requireActual('./pro-rata.tracer') as typeof import('./pro-rata.tracer');
  const { UndoJournal } = jest.requireActual('./undo-journal') as typeof import('./undo-journal');
  const { Registry } = jest.requireActual('../view/registry') as typeof import('../view/registry');

  function takeOf(amount: bigint, total: bigint, held: bigint): bigint {
    const registry = new Registry();
    registry.investments.set('tag', {
      investmentId: 'tag',
      investorId: 'investor',
      investeeId: 'x',
      investorGroup: 'investor',
      investeeGroup: 'x',
      currency: 'USD',
      committed: 0n,
      instrument: 'equity',
    });
    let taken = 0n;
    const tracer = new ProRataTracer(registry, { tagged: (_p, _t, _f, _from, to, value) => (to === 'y' ? (taken += value) : undefined) }, new UndoJournal());
    tracer.openingBalance('p', 'USD', total - held);
    tracer.fund(registry.investments.get('tag')!, 0n, { position: 0, eventId: '', type: '', occurredAt: '' });
    // give the pool exactly `held` of the tag: fund x, then x pays p everything it holds
    tracer.fund({ ...registry.investments.get('tag')!, investeeId: 'p' }, held, { position: 0, eventId: '', type: '', occurredAt: '' });
    tracer.pay('p', 'y', 'USD', amount, { position: 0, eventId: '', type: '', occurredAt: '' });
    return taken;
  }

  it('equals the exact rule, near rounding boundaries and for huge amounts too', () => {
    const amounts = fc.oneof(fc.bigInt({ min: 1n, max: 10_000n }), fc.bigInt({ min: 1n, max: 10n ** 15n }), fc.bigInt({ min: 1n, max: 10n ** 23n }));
    fc.assert(
      fc.property(amounts, amounts, amounts, (a, b, c) => {
        const [held, amount, rest] = [a, b, c];
        const total = held + rest + amount; // A < T
        expect(takeOf(amount, total, held)).toBe(reference(amount, total, held));
      }),
      { numRuns: 3000 },
    );
    // exact halves: A·a/T = k + 0.5 rounds up
    for (const [amount, total, held] of [
      [1n, 2n, 1n],
      [3n, 4n, 2n],
      [5n, 10n, 3n],
      [999_999_999_999n, 1_999_999_999_998n, 1n],
    ] as const) {
      expect(takeOf(amount, total + 1n, held)).toBe(reference(amount, total + 1n, held));
    }
  });
});
