import { isEventStoreError } from '@capflow/event-store';
import { KafkaError } from '@capflow/kafka';
import { isQueryError } from '@capflow/queries';
import { statSync } from 'node:fs';
import { AuditApiConfigError } from '../../../audit-api/src/audit-api.config';

/** What a file-system error means to the person who named the file. */
const FILE_CAUSES: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'a directory, not a file',
  ELOOP: 'too many symbolic links (a symlink loop?)',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is not a directory',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  EIO: 'an input/output error reading it',
};

/**
 * "Could not run": one line for people on stderr, exit code 1. `file` is the file the command
 * was reading, named when the error itself does not say which (a read of a directory has no path).
 * A stack is printed only at CAPFLOW_LOG_LEVEL=debug or trace, after that line.
 */
export function reportFailure(error: unknown, file?: string): void {
  let message: string;
  const errno = error as NodeJS.ErrnoException | undefined;
  if (isEventStoreError(error) || error instanceof KafkaError || isQueryError(error) || error instanceof AuditApiConfigError) message = error.message;
  else if (error instanceof CliUsageError) message = error.message;
  else if (typeof errno?.code === 'string' && Object.prototype.hasOwnProperty.call(FILE_CAUSES, errno.code)) {
    // a file-system error: the file, then the cause in words
    const path = errno.path ?? file;
    message = path === undefined ? FILE_CAUSES[errno.code] : `${path}: ${FILE_CAUSES[errno.code]}`;
  }
  // the Kafka client's own errors (a broker that does not answer): its message, not its stack
  else if (/^KafkaJS/.test((error as Error)?.name ?? '')) message = `Kafka: ${(error as Error).message}`;
  else message = `${file === undefined ? '' : `${file}: `}${(error as Error)?.message ?? String(error)}`;
  process.stderr.write(`capflow: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  if (/^(debug|trace)$/.test(process.env.CAPFLOW_LOG_LEVEL ?? '') && (error as Error)?.stack) process.stderr.write(`${(error as Error).stack}\n`);
  process.exitCode = 1;
}

/** A bad argument or option: reported like any failure to run. */
export class CliUsageError extends Error {}

/** The file a command reads, checked before anything is opened: it must exist and not be a directory. */
export function statInputFile(file: string): { size: number } {
  // statSync's errors carry the path (ENOENT, ELOOP, EACCES …); a directory is refused here, by name
  const stat = statSync(file);
  if (stat.isDirectory()) throw Object.assign(new Error(`EISDIR: ${file}`), { code: 'EISDIR', path: file });
  return { size: stat.size };
}
