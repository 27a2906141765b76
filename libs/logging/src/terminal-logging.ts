import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { humanLogLine } from './human-log-line';

/** Nest's account of starting up, a line per module, controller and route: detail, on a terminal. */
const START_UP_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
  'NestMicroservice',
]);
const INFO = 30;

/**
 * pino-http's options for logs written to `out` (stdout). Not a terminal (CI, a container, a file):
 * the options as given, JSON lines for machines. A terminal: a person reads it, so one short line
 * per record, and answered requests and Nest's start-up at debug, so that the default level shows
 * what happened (started, caught up, warnings, failures) rather than every request.
 */
export function loggingTo(out: NodeJS.WriteStream, options: Options): NonNullable<Params['pinoHttp']> {
  if (!out.isTTY) return options;
  const forPeople: Options = {
    ...options,
    customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : 'debug'),
    hooks: {
      logMethod(args, method, level) {
        const context = (args[0] as { context?: unknown } | null)?.context;
        if (level === INFO && typeof context === 'string' && START_UP_CONTEXTS.has(context)) return this.debug(...args);
        return method.apply(this, args);
      },
    },
  };
  const human: DestinationStream = { write: (line) => void out.write(`${humanLogLine(JSON.parse(line))}\n`) };
  return [forPeople, human];
}
