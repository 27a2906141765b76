import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventStore } from '@capflow/event-store';
import { IngestionService } from './ingestion.service';
import type { IngestOutcome } from './ingest-outcome';
import { postgresHarness, sqliteHarness, StoreHarness } from '@capflow/event-store/testing';

const EXAMPLE = join(__dirname, '../../../test/fixtures/contract');
const exampleLines = readFileSync(join(EXAMPLE, 'amazon-openai-loop.ndjson'), 'utf8').split('\n').filter((line) => line.trim());
const expected = JSON.parse(readFileSync(join(EXAMPLE, 'amazon-openai-loop.expected.json'), 'utf8')).import;

const envelope = (n: number, type: string, data: Record<string, unknown>, occurredAt = '2025-11-01T09:00:00Z') =>
  JSON.stringify({ eventId: `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`, type, occurredAt, source: 'test', data });
const party = (n: number, partyId: string) => envelope(n, 'PartyRegistered', { partyId, name: partyId, kind: 'other' });
const usd = (amount: string) => ({ amount, currency: 'USD' });

function summarise(outcomes: IngestOutcome[]) {
  return {
    accepted: outcomes.filter((o) => o.status === 'accepted').length,
    duplicates: outcomes.filter((o) => o.status === 'duplicate').length,
    rejected: outcomes.flatMap((o, index) => (o.status === 'rejected' ? [{ line: index + 1, eventId: o.eventId, reason: o.reason }] : [])),
  };
}

describe.each<[string, () => StoreHarness]>([
  ['SQLite', sqliteHarness],
  ['PostgreSQL', postgresHarness],
])('ingestion into %s', (_, createHarness) => {
  let harness: StoreHarness;
  let store: EventStore;

  beforeEach(async () => {
    harness = createHarness();
    store = await harness.open();
  });
  afterEach(() => harness.dispose());

  it('decides the worked example exactly as expected, and a second time stores nothing', async () => {
    const ingestion = new IngestionService(store);
    const first = await ingestion.ingest(exampleLines.map((input) => ({ input })));
    expect(summarise(first)).toEqual(expected);
    expect((await store.head()).position).toBe(22);

    const second = summarise(await ingestion.ingest(exampleLines.map((input) => ({ input }))));
    expect(second).toEqual({ accepted: 0, duplicates: 23, rejected: expected.rejected });
    expect((await store.head()).position).toBe(22);
  });

  it('decides the same in batches of any size, line by line or all at once', async () => {
    const ingestion = new IngestionService(store);
    const outcomes: IngestOutcome[] = [];
    for (let i = 0; i < exampleLines.length; i += 5) {
      outcomes.push(...(await ingestion.ingest(exampleLines.slice(i, i + 5).map((input) => ({ input })))));
    }
    expect(summarise(outcomes)).toEqual(expected);
  });

  it('points duplicates at the stored event, in the batch or from before', async () => {
    const ingestion = new IngestionService(store);
    const [a, b] = await ingestion.ingest([{ input: party(1, 'a') }, { input: party(1, 'a') }]);
    expect(a).toMatchObject({ status: 'accepted', position: 1 });
    expect(b).toMatchObject({ status: 'duplicate', position: 1 });
    const [c] = await ingestion.ingest([{ input: party(1, 'a').replace('0000-4000-9000', '0000-4000-9000'.toUpperCase()) }]);
    expect(c).toMatchObject({ status: 'duplicate', position: 1 });
  });

  it('refuses an accepted eventId with other content, and lets a rejected eventId be used again', async () => {
    const ingestion = new IngestionService(store);
    await ingestion.ingest([{ input: party(1, 'a') }]);
    const [conflict, refused] = await ingestion.ingest([
      { input: party(1, 'b') },
      { input: envelope(2, 'OpeningBalanceRecorded', { partyId: 'nobody', amount: usd('1') }) },
    ]);
    expect(conflict).toMatchObject({ status: 'rejected', reason: 'event_id_conflict' });
    expect(refused).toMatchObject({ status: 'rejected', reason: 'unknown_reference' });
    const [reused] = await ingestion.ingest([{ input: envelope(2, 'OpeningBalanceRecorded', { partyId: 'a', amount: usd('1') }) }]);
    expect(reused).toMatchObject({ status: 'accepted', position: 2 });
  });

  it('keeps provenance with each stored event', async () => {
    await new IngestionService(store).ingest([{ input: party(1, 'a'), metadata: { import: { file: 'f.ndjson', line: 7 } } }]);
    expect((await store.readAll())[0].metadata).toEqual({ import: { file: 'f.ndjson', line: 7 } });
  });

  it('decides after a restart exactly as before it: limits, ids and reversals survive', async () => {
    const facts = [
      party(1, 'inv'),
      party(2, 'lab'),
      envelope(3, 'InvestmentCommitted', { investmentId: 'i', investorId: 'inv', investeeId: 'lab', amount: usd('100'), instrument: 'equity' }),
      envelope(4, 'InvestmentFunded', { investmentId: 'i', trancheId: 't1', amount: usd('60') }),
      envelope(5, 'InvestmentFunded', { investmentId: 'i', trancheId: 't2', amount: usd('40') }),
      JSON.stringify({ eventId: '00000000-0000-4000-9000-000000000006', type: 'EventReversed', occurredAt: '2025-11-02T00:00:00Z', source: 't', data: { reversedEventId: '00000000-0000-4000-9000-000000000005', reason: 'x' } }),
    ];
    await new IngestionService(store).ingest(facts.map((input) => ({ input })));
    await store.close();

    const restarted = new IngestionService(await harness.open());
    const outcomes = await restarted.ingest([
      { input: envelope(7, 'InvestmentFunded', { investmentId: 'i', trancheId: 't2', amount: usd('1') }) },
      { input: envelope(8, 'InvestmentFunded', { investmentId: 'i', trancheId: 't3', amount: usd('40.01') }) },
      { input: envelope(9, 'InvestmentFunded', { investmentId: 'i', trancheId: 't3', amount: usd('40') }) },
      { input: JSON.stringify({ eventId: '00000000-0000-4000-9000-000000000010', type: 'EventReversed', occurredAt: '2025-11-03T00:00:00Z', source: 't', data: { reversedEventId: '00000000-0000-4000-9000-000000000005', reason: 'again' } }) },
    ]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.status))).toEqual([
      'duplicate_id',
      'limit_exceeded',
      'accepted',
      'invalid_relationship',
    ]);
  });

  it('decides against what another writer appended meanwhile', async () => {
    const one = new IngestionService(store);
    const two = new IngestionService(await harness.open());
    await one.ingest([{ input: party(1, 'a') }]);
    await two.ingest([{ input: party(2, 'b') }]); // two starts, and knows a
    await one.ingest([{ input: envelope(3, 'PaymentMade', { paymentId: 'p', payerId: 'a', payeeId: 'b', amount: usd('1'), purpose: 'other' }) }]);
    const [again] = await two.ingest([
      { input: envelope(4, 'PaymentMade', { paymentId: 'p', payerId: 'b', payeeId: 'a', amount: usd('1'), purpose: 'other' }) },
    ]);
    expect(again).toMatchObject({ status: 'rejected', reason: 'duplicate_id' });
  });

  it('lets concurrent writers never both spend the same limit', async () => {
    const setup = new IngestionService(store);
    await setup.ingest(
      [
        party(1, 'aws'),
        party(2, 'lab'),
        envelope(3, 'ComputeCreditsGranted', { grantId: 'g', providerId: 'aws', recipientId: 'lab', amount: usd('100') }),
        ...Array.from({ length: 20 }, (_, i) => envelope(10 + i, 'UsageBilled', { invoiceId: `b${i}`, providerId: 'aws', customerId: 'lab', amount: usd('100') })),
      ].map((input) => ({ input })),
    );
    const writers = await Promise.all([1, 2, 3, 4].map(async () => new IngestionService(await harness.open())));
    const results = await Promise.all(
      writers.map((writer, w) =>
        Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            writer.ingest([
              {
                input: envelope(100 + w * 10 + i, 'InvoiceSettled', {
                  invoiceId: `b${w * 5 + i}`,
                  settlementId: 's',
                  amount: usd('30'),
                  method: 'credits',
                  grantId: 'g',
                }),
              },
            ]),
          ),
        ),
      ),
    );
    const statuses = results.flat(2).map((o) => (o.status === 'rejected' ? o.reason : o.status));
    expect(statuses.filter((s) => s === 'accepted')).toHaveLength(3); // 3 × 30 ≤ 100 < 4 × 30
    expect(statuses.filter((s) => s === 'limit_exceeded')).toHaveLength(17);
  });

  it('decides exactly with a tiny window of invoices and payments, loading evicted ones from their streams', async () => {
    const tiny = new IngestionService(store, { window: { invoices: 1, payments: 1 } });
    const bill = (n: number, invoiceId: string) => envelope(n, 'UsageBilled', { invoiceId, providerId: 'aws', customerId: 'lab', amount: usd('100') });
    const settle = (n: number, invoiceId: string, settlementId: string, amount: string) =>
      envelope(n, 'InvoiceSettled', { invoiceId, settlementId, amount: usd(amount), method: 'cash' });
    const pay = (n: number, paymentId: string) => envelope(n, 'PaymentMade', { paymentId, payerId: 'lab', payeeId: 'aws', amount: usd('1'), purpose: 'other' });
    const steps: [string, string][] = [
      [party(1, 'aws'), 'accepted'],
      [party(2, 'lab'), 'accepted'],
      [bill(3, 'a'), 'accepted'],
      [bill(4, 'b'), 'accepted'],
      [bill(5, 'c'), 'accepted'],
      [settle(6, 'a', 's1', '60'), 'accepted'],
      [pay(7, 'p1'), 'accepted'],
      [pay(8, 'p2'), 'accepted'],
      [bill(9, 'a'), 'duplicate_id'],
      [settle(10, 'a', 's1', '1'), 'duplicate_id'],
      [settle(11, 'a', 's2', '40.01'), 'limit_exceeded'],
      [pay(12, 'p1'), 'duplicate_id'],
      [JSON.stringify({ eventId: '00000000-0000-4000-9000-000000000013', type: 'EventReversed', occurredAt: '2025-11-02T00:00:00Z', source: 't', data: { reversedEventId: '00000000-0000-4000-9000-000000000006', reason: 'x' } }), 'accepted'],
      [bill(14, 'd'), 'accepted'],
      [settle(15, 'a', 's3', '100'), 'accepted'],
      [settle(16, 'a', 's1', '1'), 'duplicate_id'],
    ];
    const outcomes: string[] = [];
    for (const [input] of steps) {
      const [outcome] = await tiny.ingest([{ input }]); // one per batch, so the window is trimmed in between
      outcomes.push(outcome.status === 'rejected' ? outcome.reason : outcome.status);
    }
    expect(outcomes).toEqual(steps.map(([, expected]) => expected));
  });

  it("runs `before` in the batch's turn, and touches nothing (the decision state kept) when it rejects", async () => {
    const ingestion = new IngestionService(store);
    const turns: string[] = [];
    const first = ingestion.ingest([{ input: party(1, 'a') }], { before: async () => void turns.push('first') });
    const refused = ingestion.ingest([{ input: party(2, 'b') }], {
      before: async () => {
        turns.push('second');
        throw new Error('the batch before it failed');
      },
    });
    const third = ingestion.ingest([{ input: party(3, 'c') }, { input: party(1, 'a') }]);
    await first;
    await expect(refused).rejects.toThrow('the batch before it failed');
    expect((await third).map((o) => o.status)).toEqual(['accepted', 'duplicate']);
    expect(turns).toEqual(['first', 'second']);
    expect((await store.readAll()).map((e) => e.eventId.slice(-1))).toEqual(['1', '3']);
  });

  it('survives whatever bytes arrive, and stores none of them', async () => {
    const ingestion = new IngestionService(store);
    const outcomes = await ingestion.ingest(
      [Buffer.from([0xff, 0x00, 0xfe]), Buffer.alloc(0), Buffer.from('{"__proto__":{"x":1}}'), Buffer.from('x'.repeat(70000))].map((input) => ({ input })),
    );
    expect(outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.status))).toEqual([
      'malformed_json',
      'malformed_json',
      'schema_violation',
      'schema_violation',
    ]);
    expect(await store.readAll()).toEqual([]);
  });
});
