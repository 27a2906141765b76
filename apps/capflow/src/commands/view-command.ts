import { instantKeyOfBound } from '@capflow/contracts';
import { Option } from 'nest-commander';
import { CliUsageError } from '../output/cli-failure';
import { StoreCommand, StoreOptions } from './store-command';

export interface ViewOptions extends StoreOptions {
  asOf?: string;
  knownAt?: string;
  csv?: boolean;
}

/** A selection of the ledger: --as-of (business time) and --known-at (ledger time). */
export interface Selection {
  /** As the user wrote it, for the report's `asOf`. */
  asOfText: string | null;
  /** Instant key, inclusive. */
  asOf?: string;
  /** ISO milliseconds, inclusive. */
  knownAt?: string;
}

/** Reports take --as-of, --known-at, --json and --csv, beside --store. */
export abstract class ViewCommand extends StoreCommand {
  @Option({ flags: '--as-of <time>', description: 'business time: facts that occurred up to then (RFC 3339, or a date: its end)' })
  parseAsOf(value: string): string {
    return value;
  }

  @Option({ flags: '--known-at <time>', description: 'ledger time: the ledger as it stood then (RFC 3339, or a date: its end)' })
  parseKnownAt(value: string): string {
    return value;
  }

  @Option({ flags: '--csv', description: 'comma-separated values, for spreadsheets' })
  parseCsv(): boolean {
    return true;
  }
}

export function selectionOf(options: ViewOptions): Selection {
  return {
    asOfText: options.asOf ?? null,
    asOf: options.asOf === undefined ? undefined : endBound(options.asOf, '--as-of'),
    knownAt: options.knownAt === undefined ? undefined : `${endBound(options.knownAt, '--known-at').slice(0, 23)}Z`,
  };
}

/** A date alone means its last instant: "as of 5 November" includes that day. */
function endBound(text: string, flag: string): string {
  const key = instantKeyOfBound(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T23:59:59.999999999Z` : text);
  if (key === null) throw new CliUsageError(`${flag} takes an RFC 3339 time or a date (YYYY-MM-DD), not ${JSON.stringify(text)}`);
  return key;
}
