import { isEventStoreError } from '@capflow/event-store';
import { KafkaError } from '@capflow/kafka';
import { isQueryError } from '@capflow/queries';
import { AuditApiConfigError } from '../../../audit-api/src/audit-api.config';

/** "Could not run": a message for people on stderr, exit code 1. */
export function reportFailure(error: unknown): void {
  let message: string;
  if (isEventStoreError(error) || error instanceof KafkaError || isQueryError(error) || error instanceof AuditApiConfigError) message = error.message;
  else if ((error as NodeJS.ErrnoException)?.code === 'ENOENT') message = `no such file: ${(error as NodeJS.ErrnoException).path}`;
  else if ((error as NodeJS.ErrnoException)?.code === 'EISDIR') message = `a directory, not a file: ${(error as NodeJS.ErrnoException).path ?? ''}`;
  else if (error instanceof CliUsageError) message = error.message;
  // the Kafka client's own errors (a broker that does not answer): its message, not its stack
  else if (/^KafkaJS/.test((error as Error)?.name ?? '')) message = `Kafka: ${(error as Error).message}`;
  else message = (error as Error)?.stack ?? String(error);
  process.stderr.write(`capflow: ${message}\n`);
  process.exitCode = 1;
}

/** A bad argument or option: reported like any failure to run. */
export class CliUsageError extends Error {}
