import { Selection, selectionOf as selectionFrom } from '@capflow/queries';
import { Option } from 'nest-commander';
import { StoreCommand, StoreOptions } from './store-command';

export interface ViewOptions extends StoreOptions {
  asOf?: string;
  knownAt?: string;
  csv?: boolean;
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

/** The selection a report's options name; a bad time is reported like any bad option. */
export function selectionOf(options: ViewOptions): Selection {
  return selectionFrom({ asOf: options.asOf, knownAt: options.knownAt }, { asOf: '--as-of', knownAt: '--known-at' });
}
