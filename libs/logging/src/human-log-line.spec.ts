import { humanLogLine } from './human-log-line';

const TIME = new Date(2026, 11, 7, 15, 4, 5, 678).getTime(); // local time: the line shows the reader's clock

describe('humanLogLine', () => {
  it('says when, how bad, who and what, then the other fields', () => {
    const record = {
      level: 30,
      time: TIME,
      pid: 42,
      hostname: 'h',
      service: 'capflow-audit-api',
      context: 'AuditApi',
      msg: 'audit API started',
      http: 'http://127.0.0.1:8080',
      keys: 4,
    };
    expect(humanLogLine(record)).toBe('15:04:05 INFO  [AuditApi] audit API started http=http://127.0.0.1:8080 keys=4');
  });

  it('sums a request up in one line, without its headers', () => {
    const record = {
      level: 20,
      time: TIME,
      req: { id: 'r-1', method: 'GET', url: '/api/balances?asOf=…', headers: { host: 'x' } },
      res: { statusCode: 200, headers: { 'content-type': 'application/json', 'cache-control': 'private, no-cache' } },
      responseTime: 12,
      principal: 'alice-auditor',
      msg: 'request completed',
    };
    expect(humanLogLine(record)).toBe('15:04:05 DEBUG request completed GET /api/balances?asOf=… → 200 12 ms principal=alice-auditor');
  });

  it('writes text with spaces, and what is not text, as JSON', () => {
    expect(humanLogLine({ level: 40, time: TIME, msg: 'slow', store: 'sqlite:./a b.db', lag: null, at: { position: 3 } })).toBe(
      '15:04:05 WARN  slow store="sqlite:./a b.db" lag=null at={"position":3}',
    );
  });

  it("puts an error's stack on the lines after, indented", () => {
    const err = { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (a.js:1:1)' };
    expect(humanLogLine({ level: 50, time: TIME, msg: 'failed', err })).toBe('15:04:05 ERROR failed\n    Error: boom\n    at f (a.js:1:1)');
    expect(humanLogLine({ level: 50, time: TIME, msg: 'failed', err: { message: 'boom' } })).toBe('15:04:05 ERROR failed error=boom');
  });

  it('never lets logged text move the cursor', () => {
    expect(humanLogLine({ level: 30, time: TIME, msg: 'a\u001b[2Jb', req: { method: 'GET', url: '/\u0007' }, who: 'x\u001by' })).toBe(
      '15:04:05 INFO  a\\u001b[2Jb GET /\\u0007 who=x\\u001by',
    );
  });
});
