import { auditRecordOf, streamFilter, timeBound, typeFilter } from '@capflow/queries';
import { EventFilter, StoredEvent } from '@capflow/event-store';
import { Command, Option } from 'nest-commander';
import { CliUsageError, reportFailure } from '../output/cli-failure';
import { groupDigits } from '../output/digit-grouping';
import { formatTable } from '../output/table';
import { StoreOpener } from '../store/store-opener.service';
import { StoreCommand, StoreOptions } from './store-command';

interface EventsOptions extends StoreOptions {
  stream?: string;
  type?: string;
  occurredFrom?: string;
  occurredTo?: string;
  recordedFrom?: string;
  recordedTo?: string;
  after?: string;
  limit?: string;
  format?: 'table' | 'ndjson';
}

const PAGE = 1000;

/** The audit trail: stored events in ledger order, filtered; NDJSON for machines, a table for people. */
@Command({ name: 'events', description: 'list stored events (the audit trail), oldest first' })
export class EventsCommand extends StoreCommand {
  constructor(private readonly stores: StoreOpener) {
    super();
  }

  @Option({ flags: '--stream <streamId>', description: 'only this stream, e.g. investment-amzn-oai' })
  parseStream(value: string): string {
    return value;
  }

  @Option({ flags: '--type <type>', description: 'only this event type' })
  parseType(value: string): string {
    return value;
  }

  @Option({ flags: '--occurred-from <time>', description: 'business time from (RFC 3339, or a date: its start)' })
  parseOccurredFrom(value: string): string {
    return value;
  }

  @Option({ flags: '--occurred-to <time>', description: 'business time up to, inclusive (a date: its end)' })
  parseOccurredTo(value: string): string {
    return value;
  }

  @Option({ flags: '--recorded-from <time>', description: 'ledger time from' })
  parseRecordedFrom(value: string): string {
    return value;
  }

  @Option({ flags: '--recorded-to <time>', description: 'ledger time up to, inclusive' })
  parseRecordedTo(value: string): string {
    return value;
  }

  @Option({ flags: '--after <position>', description: 'only positions after this one' })
  parseAfter(value: string): string {
    return value;
  }

  @Option({ flags: '--limit <n>', description: 'at most n events' })
  parseLimit(value: string): string {
    return value;
  }

  @Option({ flags: '--format <format>', description: 'table (default) or ndjson (same as --json)', choices: ['table', 'ndjson'] })
  parseFormat(value: string): string {
    return value;
  }

  async run(_: string[], options: EventsOptions): Promise<void> {
    try {
      const filter = filterOf(options);
      const after = nonNegativeInteger(options.after ?? '0', '--after');
      const limit = options.limit === undefined ? Number.POSITIVE_INFINITY : nonNegativeInteger(options.limit, '--limit');
      const ndjson = options.json || options.format === 'ndjson';
      const store = await this.stores.open(options.store);
      try {
        const rows: string[][] = [];
        let cursor = after;
        let left = limit;
        while (left > 0) {
          const page = await store.queryEvents(filter, { after: cursor, limit: Math.min(PAGE, left) });
          if (page.length === 0) break;
          if (ndjson) await write(page.map((event) => `${JSON.stringify(auditRecordOf(event))}\n`).join(''));
          else rows.push(...page.map(tableRowOf));
          cursor = page[page.length - 1].position;
          left -= page.length;
        }
        if (!ndjson) {
          process.stdout.write(
            `${formatTable(['position', 'recordedAt', 'occurredAt', 'type', 'stream', 'eventId', 'amount'], rows, new Set([0, 6]))}\n` +
              `${rows.length} event${rows.length === 1 ? '' : 's'}\n`,
          );
        }
      } finally {
        await store.close();
      }
    } catch (error) {
      reportFailure(error);
    }
  }
}

function tableRowOf(event: StoredEvent): string[] {
  const amount = event.data.amount as { amount: string; currency: string } | undefined;
  return [
    String(event.position),
    event.recordedAt,
    event.occurredAt,
    event.type,
    event.streamId,
    event.eventId,
    amount ? `${groupDigits(amount.amount)} ${amount.currency}` : '',
  ];
}

function filterOf(options: EventsOptions): EventFilter {
  return {
    streamId: options.stream === undefined ? undefined : streamFilter(options.stream, '--stream'),
    type: options.type === undefined ? undefined : typeFilter(options.type, '--type'),
    occurredFrom: bound(options.occurredFrom, '--occurred-from', 'start', 'instant'),
    occurredTo: bound(options.occurredTo, '--occurred-to', 'end', 'instant'),
    recordedFrom: bound(options.recordedFrom, '--recorded-from', 'start', 'iso'),
    recordedTo: bound(options.recordedTo, '--recorded-to', 'end', 'iso'),
  };
}

function bound(text: string | undefined, flag: string, side: 'start' | 'end', form: 'instant' | 'iso'): string | undefined {
  return text === undefined ? undefined : timeBound(text, flag, side, form);
}

/** Up to Number.MAX_SAFE_INTEGER, the largest position a store hands out (compared exactly, as a BigInt). */
function nonNegativeInteger(text: string, flag: string): number {
  if (!/^\d{1,32}$/.test(text) || BigInt(text) > BigInt(Number.MAX_SAFE_INTEGER))
    throw new CliUsageError(`${flag} takes a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, not ${JSON.stringify(text.slice(0, 64))}`);
  return Number(text);
}

function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
}
