/**
 * Rate limits (per key, and per address for everything without a valid key) and the admin's
 * rebuild of the read models: 202 with a job, done later with the digests it had before, the same
 * as `capflow replay` computes; the reports unchanged.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliJson, EXAMPLE, EXPECTED, removeScratch, scratchDirectory, sleep, startApi, TestApi } from './harness';

jest.setTimeout(180_000);

afterAll(() => removeScratch());

describe('rate limits', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi({ storeUrl: `sqlite:${join(scratchDirectory(), 'rate.db')}`, env: { CAPFLOW_API_RATE_LIMIT: '5' } });
    await api.caughtUp();
  });
  afterAll(() => api?.close());

  it('the 6th request of a key within a minute: 429 rate_limited; other keys are counted apart', async () => {
    for (let index = 1; index <= 5; index += 1) expect((await api.call('/api/verify', { key: api.keys.auditor.key })).status).toBe(200);
    const limited = await api.call('/api/verify', { key: api.keys.auditor.key });
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({ statusCode: 429, code: 'rate_limited', detail: expect.any(String), requestId: expect.any(String) });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await api.call('/api/balances', { key: api.keys.auditor.key })).status).toBe(429); // per key, not per route
    expect((await api.call('/api/verify', { key: api.keys.admin.key })).status).toBe(200);
  });

  it('guessing keys from one address is limited too, however many different keys it tries', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 7; index += 1) {
      const answer = await api.call('/api/verify', { key: `cfk_${randomBytes(32).toString('base64url')}` });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  it('/health and /metrics are not limited', async () => {
    for (let index = 0; index < 8; index += 1) {
      expect((await api.call('/health')).status).toBe(200);
      expect((await api.call('/metrics')).status).toBe(200);
    }
  });
});

describe('rebuilding the read models', () => {
  let api: TestApi;
  type States = {
    head: number;
    projections: { name: string; position: number; digest: string }[];
    rebuild: null | Record<string, unknown>;
  };
  let before: States;

  beforeAll(async () => {
    api = await startApi({ storeUrl: `sqlite:${join(scratchDirectory(), 'rebuild.db')}` });
    const imported = await api.call('/api/events', {
      key: api.keys.ingest.key,
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: readFileSync(EXAMPLE),
    });
    expect(imported.status).toBe(200);
    await api.caughtUp();
    before = await api.json('/api/admin/projections', api.keys.admin.key);
  });
  afterAll(() => api?.close());

  const finished = async (): Promise<States> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const states: States = await api.json('/api/admin/projections', api.keys.admin.key);
      if (states.rebuild?.status !== 'running') return states;
      if (Date.now() > deadline) throw new Error(`the rebuild did not finish: ${JSON.stringify(states)}`);
      await sleep(50);
    }
  };

  it('lists every read model at the head, each with its digest', () => {
    expect(before.head).toBe(22);
    expect(before.projections.map((projection) => projection.name)).toEqual([
      'balances',
      'round-trips',
      'commitments',
      'credits',
      'flows',
      'restatements',
    ]);
    for (const projection of before.projections)
      expect(projection).toEqual({ name: projection.name, position: 22, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(before.rebuild).toBeNull();
  });

  it('POST rebuild: 202 with a job at once; later done, with the same digests as before, and the reports unchanged', async () => {
    const started = await api.call('/api/admin/projections/rebuild', { key: api.keys.admin.key, method: 'POST' });
    expect(started.status).toBe(202);
    expect(started.json).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      projections: ['balances', 'round-trips', 'commitments', 'credits', 'flows', 'restatements'],
      status: 'running',
      startedAt: expect.any(String),
      finishedAt: null,
      position: null,
      digest: null,
      error: null,
    });
    const after = await finished();
    expect(after.rebuild).toMatchObject({
      id: started.json.id,
      status: 'done',
      position: 22,
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      error: null,
    });
    expect(Date.parse(after.rebuild!.finishedAt as string)).toBeGreaterThanOrEqual(Date.parse(started.json.startedAt));
    expect(after.projections).toEqual(before.projections);
    // `capflow replay` rebuilds the same store again and prints the same digests
    const replayed = await cliJson(['replay', '--store', api.storeUrl]);
    expect(replayed.digest).toBe(after.rebuild!.digest);
    expect(replayed.projections).toEqual(Object.fromEntries(before.projections.map((projection) => [projection.name, projection.digest])));
    expect(await api.json('/api/reports/round-trips?policy=fifo')).toEqual(EXPECTED.fifo);
    expect(await api.json('/api/balances')).toEqual(EXPECTED.balances);
  });

  it('one read model: ?projection=round-trips rebuilds that one alone', async () => {
    const started = await api.call('/api/admin/projections/rebuild?projection=round-trips', { key: api.keys.admin.key, method: 'POST' });
    expect(started.status).toBe(202);
    expect(started.json.projections).toEqual(['round-trips']);
    const after = await finished();
    expect(after.rebuild).toMatchObject({ id: started.json.id, status: 'done' });
    expect(after.projections).toEqual(before.projections);
  });

  it('the projector follows new facts after a rebuild', async () => {
    const answer = await api.call('/api/events', {
      key: api.keys.ingest.key,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        eventId: '00000000-0000-4000-8000-000000000a01',
        type: 'PaymentMade',
        occurredAt: '2025-11-12T09:00:00Z',
        source: 'treasury',
        data: {
          paymentId: 'late-1',
          payerId: 'openai',
          payeeId: 'nvidia',
          amount: { amount: '5.00', currency: 'USD' },
          purpose: 'hardware',
        },
      }),
    });
    expect(answer.status).toBe(201);
    await api.caughtUp();
    const nvidia = (await api.json('/api/balances')).parties.find((party: { partyId: string }) => party.partyId === 'nvidia');
    expect(nvidia.balances.USD.other_revenue).toBe('405.00');
  });
});
