import { Selection, selectionOf as selectionFrom, SeriesSelection, seriesSelectionOf } from '@capflow/queries';
import { Option } from 'nest-commander';
import { CliUsageError } from '../output/cli-failure';
import { StoreCommand, StoreOptions } from './store-command';

export interface ViewOptions extends StoreOptions {
  asOf?: string;
  knownAt?: string;
  csv?: boolean;
}

/** A report of rows that can be paged and filtered: --limit, --after and its filters. */
export interface RowsOptions extends ViewOptions {
  limit?: string;
  after?: string;
  currency?: string;
  series?: string;
  from?: string;
  to?: string;
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

/** Reports of rows also take --limit, --after and --currency (and their own filters). */
export abstract class RowsCommand extends ViewCommand {
  @Option({ flags: '--limit <rows>', description: 'a page of at most this many rows; the JSON answer\'s "next" is the cursor of the page after it' })
  parseLimit(value: string): string {
    return value;
  }

  @Option({ flags: '--after <key>', description: "the rows after this key (a page's \"next\")" })
  parseAfter(value: string): string {
    return value;
  }

  @Option({ flags: '--currency <code>', description: 'only this currency' })
  parseCurrency(value: string): string {
    return value;
  }

  @Option({ flags: '--series <period>', description: "the report as of the end of each month, quarter or year (TRACING.md 1.1)" })
  parseSeries(value: string): string {
    return value;
  }

  @Option({ flags: '--from <date>', description: "with --series: the first period is the one this date falls in (default: the first fact's)" })
  parseFrom(value: string): string {
    return value;
  }

  @Option({ flags: '--to <date>', description: "with --series: the last period is the one this date falls in (default: the last fact's)" })
  parseTo(value: string): string {
    return value;
  }
}

/** The series a report's options name, or null without --series (--from and --to need it). */
export function seriesOf(options: RowsOptions): SeriesSelection | null {
  if (options.series === undefined) {
    const stray = options.from !== undefined ? '--from' : options.to !== undefined ? '--to' : null;
    if (stray) throw new CliUsageError(`${stray} goes with --series`);
    return null;
  }
  const { series, from, to, asOf, knownAt } = options;
  return seriesSelectionOf({ series, from, to, asOf, knownAt }, { series: '--series', from: '--from', to: '--to', asOf: '--as-of', knownAt: '--known-at' });
}

/** The page's footer on a terminal: where the next page starts. */
export function nextPageLine(report: { next?: string | null }): string {
  return typeof report.next === 'string' ? `next page: --after ${report.next}\n` : '';
}
