import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { loggingTo } from './terminal-logging';

/** A stream that keeps what is written, a terminal or not. */
function output(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const out = { isTTY, text: '', write: (chunk: string) => ((out.text += chunk), true) };
  return out as unknown as NodeJS.WriteStream & { text: string };
}

const OPTIONS: Options = { level: 'info', base: { service: 'test' } };

describe('loggingTo', () => {
  it('leaves the options as they are when the output is not a terminal: JSON lines', () => {
    expect(loggingTo(output(false), OPTIONS)).toBe(OPTIONS);
  });

  describe('on a terminal', () => {
    const out = output(true);
    const [options, stream] = loggingTo(out, OPTIONS) as [Options, DestinationStream];
    const logger = pino(options as pino.LoggerOptions, stream);
    beforeEach(() => (out.text = ''));

    it('writes a short line per record, at the level asked for', () => {
      logger.info({ context: 'AuditApi', keys: 4 }, 'audit API started');
      logger.debug('not at info');
      expect(out.text).toMatch(/^\d\d:\d\d:\d\d INFO {2}\[AuditApi\] audit API started keys=4\n$/);
    });

    it("keeps Nest's start-up for debug", () => {
      logger.info({ context: 'RouterExplorer' }, 'Mapped {/api/balances, GET} route');
      logger.info({ context: 'InstanceLoader' }, 'AuditApiModule dependencies initialized');
      expect(out.text).toBe('');
      const verbose = logger.child({}, { level: 'debug' });
      verbose.info({ context: 'RouterExplorer' }, 'Mapped {/api/balances, GET} route');
      expect(out.text).toMatch(/DEBUG \[RouterExplorer\] Mapped/);
    });

    it('logs answered requests at debug, and failures as errors', () => {
      const level = (statusCode: number, error?: Error) =>
        options.customLogLevel!({} as IncomingMessage, { statusCode } as ServerResponse, error);
      expect([level(200), level(401), level(500), level(200, new Error('x'))]).toEqual(['debug', 'debug', 'error', 'error']);
    });
  });
});
