/**
 * The audit API's OpenAPI description: the checked-in apps/audit-api/openapi.json is what the app
 * generates (a stale file fails, naming the command that regenerates it), it describes every
 * route with its bearer key, and /docs (HTML, its assets) and /docs/openapi.json answer without a
 * key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApiJson, OPENAPI_FILE, REGENERATE_OPENAPI } from '../../../apps/audit-api/src/write-openapi';
import { REPO_ROOT } from '../../support/cli';
import { removeScratch, scratchDirectory, startApi, TestApi } from './harness';

jest.setTimeout(120_000);

const checkedIn = () => readFileSync(join(REPO_ROOT, OPENAPI_FILE), 'utf8');

describe('the checked-in description', () => {
  it(`is what the app generates (else run: ${REGENERATE_OPENAPI})`, async () => {
    const generated = await generateOpenApiJson();
    const current = checkedIn();
    if (generated !== current) {
      throw new Error(`${OPENAPI_FILE} is not what the app generates: regenerate it with\n\n  ${REGENERATE_OPENAPI}\n\nand check it in.`);
    }
  });

  it('describes every route of the API, each behind a bearer key, and no key format it does not have', () => {
    const document = JSON.parse(checkedIn());
    expect(Object.keys(document.paths).sort()).toEqual([
      '/api/admin/access-log',
      '/api/admin/projections',
      '/api/admin/projections/rebuild',
      '/api/balances',
      '/api/events',
      '/api/events/{eventId}',
      '/api/reports/circular-revenue',
      '/api/reports/commitments',
      '/api/reports/credits',
      '/api/reports/deal-links',
      '/api/reports/flows',
      '/api/reports/restatements',
      '/api/reports/round-trips',
      '/api/reports/trace/{investmentId}',
      '/api/verify',
    ]);
    const operations = Object.values(document.paths).flatMap((path) => Object.values(path as Record<string, { security?: unknown }>));
    expect(operations).toHaveLength(16);
    for (const operation of operations) expect(operation.security).toEqual([{ bearer: [] }]);
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.components.securitySchemes.bearer.bearerFormat).not.toBe('JWT'); // keys are opaque, not JWTs
    const roundTrips = document.paths['/api/reports/round-trips'].get.parameters;
    expect(roundTrips).toContainEqual(
      expect.objectContaining({
        name: 'policy',
        in: 'query',
        required: true,
        schema: expect.objectContaining({ enum: ['fifo', 'pro_rata'] }),
      }),
    );
    expect(Object.keys(document.paths['/api/events'].post.requestBody.content).sort()).toEqual([
      'application/json',
      'application/x-ndjson',
    ]);
  });
});

describe('served', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi({ storeUrl: `sqlite:${join(scratchDirectory(), 'openapi.db')}`, projector: false });
  });
  afterAll(async () => {
    await api?.close();
    removeScratch();
  });

  it('/docs/openapi.json, without a key: the checked-in document', async () => {
    const answer = await api.call('/docs/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.json).toEqual(JSON.parse(checkedIn()));
  });

  it('/docs, without a key: the HTML page, and the scripts and styles it loads', async () => {
    const page = await api.call('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('swagger-ui');
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map(
      (match) => new URL(match[1], `${api.url}/docs`).pathname,
    );
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      const answer = await api.call(asset);
      expect({ asset, status: answer.status }).toEqual({ asset, status: 200 });
    }
    // the page's own scripts are files, so the Content-Security-Policy (script-src 'self') lets them run
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.text).not.toMatch(/<script>(?!\s*<\/script>)/);
  });
});
