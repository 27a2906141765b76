/**
 * Strict parameters: every bad date, unknown or repeated parameter, bad policy, page size, id or
 * stream is a 400 invalid_parameter whose detail names the parameter; an unknown route is a 404
 * in the same JSON shape. Nothing is answered from a half-understood request.
 */
import { join } from 'node:path';
import { removeScratch, scratchDirectory, startApi, TestApi } from './harness';

jest.setTimeout(120_000);

let api: TestApi;

beforeAll(async () => {
  api = await startApi({ storeUrl: `sqlite:${join(scratchDirectory(), 'parameters.db')}` });
  await api.caughtUp();
});
afterAll(async () => {
  await api?.close();
  removeScratch();
});

const ERROR_SHAPE = (status: number, code: string, detail: unknown) => ({
  statusCode: status,
  code,
  detail,
  requestId: expect.stringMatching(/^.{8,}$/),
});

const BAD: [string, string, string][] = [
  // dates
  ['a month that does not exist', '/api/balances?asOf=2025-13-01', 'asOf'],
  ['a day that does not exist', '/api/reports/round-trips?policy=fifo&asOf=2025-02-30', 'asOf'],
  ['a word for a date', '/api/reports/credits?asOf=yesterday', 'asOf'],
  ['an empty date', '/api/balances?asOf=', 'asOf'],
  ['an hour 25', '/api/reports/flows?knownAt=2025-11-01T25:00:00Z', 'knownAt'],
  ['a time without an offset', '/api/reports/commitments?knownAt=2025-11-01T10:00:00', 'knownAt'],
  ['a number of seconds', '/api/reports/restatements?knownAt=1762000000', 'knownAt'],
  ['a bad date in a trace', '/api/reports/trace/amzn-oai?asOf=2025-11', 'asOf'],
  ['a bad business-time bound of the trail', '/api/events?occurredFrom=11/03/2025', 'occurredFrom'],
  ['a bad business-time bound of the trail (to)', '/api/events?occurredTo=2025-11-03T09:00Z', 'occurredTo'],
  ['a bad ledger-time bound of the trail', '/api/events?recordedFrom=now', 'recordedFrom'],
  ['a bad ledger-time bound of the trail (to)', '/api/events?recordedTo=2025-11-31', 'recordedTo'],
  // unknown parameters
  ['a parameter in the wrong case', '/api/balances?asof=2025-11-01', 'asof'],
  ['a parameter a report does not take', '/api/reports/credits?policy=fifo', 'policy'],
  ['a parameter on one event', '/api/events/00000000-0000-4000-8000-000000000001?format=csv', 'format'],
  ['a parameter on verify', '/api/verify?full=1', 'full'],
  ['a parameter on the admin routes', '/api/admin/projections?verbose=1', 'verbose'],
  ['a bracketed parameter', '/api/balances?asOf[gt]=2025-11-01', 'asOf[gt]'],
  // repeated parameters
  ['a date twice', '/api/balances?asOf=2025-11-01&asOf=2025-11-02', 'asOf'],
  ['a policy twice', '/api/reports/round-trips?policy=fifo&policy=pro_rata', 'policy'],
  ['a page size twice', '/api/events?limit=5&limit=5', 'limit'],
  // policies
  ['no policy', '/api/reports/round-trips', 'policy'],
  ['another policy', '/api/reports/round-trips?policy=lifo', 'policy'],
  ['a policy in upper case', '/api/reports/round-trips?policy=FIFO', 'policy'],
  ['an empty policy', '/api/reports/round-trips?policy=', 'policy'],
  // page sizes and cursors
  ['a page of 0', '/api/events?limit=0', 'limit'],
  ['a page of 1001', '/api/events?limit=1001', 'limit'],
  ['a page of abc', '/api/events?limit=abc', 'limit'],
  ['a negative page', '/api/events?limit=-1', 'limit'],
  ['a fractional page', '/api/events?limit=1.5', 'limit'],
  ['a page in exponent form', '/api/events?limit=1e2', 'limit'],
  ['an empty page size', '/api/events?limit=', 'limit'],
  ['a negative cursor', '/api/events?after=-1', 'after'],
  ['a cursor that is not a number', '/api/events?after=abc', 'after'],
  ['a huge cursor', '/api/events?after=99999999999999999999', 'after'],
  ['a page of 0 in the access log', '/api/admin/access-log?limit=0', 'limit'],
  // ids
  ['an eventId that is not a UUID', '/api/events/not-a-uuid', 'eventId'],
  ['an eventId one digit short', '/api/events/00000000-0000-4000-8000-00000000000', 'eventId'],
  ['an eventId without dashes', '/api/events/00000000000040008000000000000001', 'eventId'],
  ['an investment id starting with a dash', '/api/reports/trace/-amzn', 'investmentId'],
  ['an investment id with a space', '/api/reports/trace/amzn%20oai', 'investmentId'],
  ['an investment id with a slash', '/api/reports/trace/amzn%2Foai', 'investmentId'],
  ['an investment id of 129 characters', `/api/reports/trace/${'a'.repeat(129)}`, 'investmentId'],
  // streams, types, formats, anchors, projections
  ['a stream without a kind', '/api/events?stream=amznoai', 'stream'],
  ['a stream in upper case', '/api/events?stream=Investment-amzn-oai', 'stream'],
  ['a stream with no id', '/api/events?stream=investment-', 'stream'],
  ['a stream with a space', '/api/events?stream=investment-amzn%20oai', 'stream'],
  ['a stream of a kind the ledger does not have', '/api/events?stream=company-amzn', 'stream'],
  ['an event type with a space', '/api/events?type=Payment%20Made', 'type'],
  ['an event type the contract does not name', '/api/events?type=PaymentSent', 'type'],
  ['a format a report does not have', '/api/balances?format=xml', 'format'],
  ['a graph format on a table', '/api/reports/credits?format=dot', 'format'],
  ['a format of the trail', '/api/events?format=ndjson', 'format'],
  ['a bad anchor', '/api/verify?anchor=22', 'anchor'],
  ['a projection that does not exist', '/api/admin/projections/rebuild?projection=everything', 'projection'],
  ['a value of 300 characters', `/api/balances?asOf=${'9'.repeat(300)}`, 'asOf'],
];

describe('bad parameters: 400 invalid_parameter, naming the parameter', () => {
  it.each(BAD)('%s (%s)', async (_, path, name) => {
    const method = path.includes('/rebuild') ? 'POST' : 'GET';
    const answer = await api.call(path, { key: path.includes('/admin/') ? api.keys.admin.key : api.keys.auditor.key, method });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.json).toEqual(ERROR_SHAPE(400, 'invalid_parameter', expect.stringContaining(name)));
  });

  it('the same routes answer 200 with good parameters (so the 400s above are about the parameter)', async () => {
    for (const path of [
      '/api/balances?asOf=2025-12-01',
      '/api/reports/round-trips?policy=fifo&asOf=2025-02-28',
      '/api/reports/credits?asOf=2025-11-05T10:00:00%2B01:00',
      '/api/reports/flows?knownAt=2025-11-01T23:00:00Z',
      '/api/events?occurredFrom=2025-11-03&occurredTo=2025-11-03T09:00:00Z&limit=1000&after=0',
      '/api/events?stream=investment-amzn-oai&type=PaymentMade&format=csv',
      '/api/verify',
    ]) {
      const answer = await api.call(path, { key: api.keys.auditor.key });
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
    }
    const missing = await api.call('/api/reports/trace/amzn.oai_2:x-1', { key: api.keys.auditor.key });
    expect(missing.status).toBe(404); // a well-formed id, not in the ledger
    const event = await api.call('/api/events/00000000-0000-4000-8000-000000000001', { key: api.keys.auditor.key });
    expect(event.status).toBe(404); // a well-formed id, not in the (empty) store
  });

  it('a malformed URL escape: 400 with the request id, in the access log like any request, the client\'s id beside it', async () => {
    const answer = await api.call('/api/events/%E0%A4%A', { key: api.keys.auditor.key, headers: { 'x-request-id': 'probe-undecodable' } });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual(ERROR_SHAPE(400, 'invalid_parameter', expect.any(String)));
    expect(answer.json.requestId).toBe(answer.headers.get('x-request-id'));
    const log = await api.json('/api/admin/access-log?limit=1000', api.keys.admin.key);
    expect(log.entries).toContainEqual(
      expect.objectContaining({
        requestId: answer.json.requestId,
        clientRequestId: 'probe-undecodable',
        method: 'GET',
        path: '/api/events/%E0%A4%A',
        status: 400,
      }),
    );
  });
});

describe('unknown routes: 404 in the same JSON shape', () => {
  it.each([
    ['GET', '/nope', undefined],
    ['GET', '/api/nope', 'auditor'],
    ['GET', '/api/reports/nope', 'auditor'],
    ['GET', '/api/reports/trace', 'auditor'],
    ['POST', '/api/balances', 'admin'],
    ['DELETE', '/api/events/00000000-0000-4000-8000-000000000001', 'admin'],
    ['GET', '/api/admin', 'admin'],
  ] as [string, string, 'auditor' | 'admin' | undefined][])('%s %s', async (method, path, role) => {
    const answer = await api.call(path, { method, key: role && api.keys[role].key });
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual(ERROR_SHAPE(404, 'not_found', expect.any(String)));
  });

  it('names every request by the server\'s own id, whatever X-Request-Id the client sent (that one is the client\'s)', async () => {
    for (const given of ['audit-4711.a:b', 'x"><script>', undefined]) {
      const answer = await api.call('/api/balances?asOf=bad', { key: api.keys.auditor.key, headers: given === undefined ? {} : { 'x-request-id': given } });
      expect(answer.json.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(answer.headers.get('x-request-id')).toBe(answer.json.requestId);
    }
  });
});
