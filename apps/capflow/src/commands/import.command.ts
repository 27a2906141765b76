import { Command } from 'nest-commander';
import type { ImportSummary } from '../import/file-importer';
import { importInWorker } from '../import/worker-import';
import { CliUsageError, reportFailure, statInputFile } from '../output/cli-failure';
import { ProgressBar } from '../output/progress-bar';
import { formatTable } from '../output/table';
import { StoreOpener } from '../store/store-opener.service';
import { StoreCommand, StoreOptions } from './store-command';

/** Exit codes of TRACING.md: 0 all stored, 2 some lines rejected (the rest stored), 1 could not run. */
@Command({
  name: 'import',
  arguments: '<file>',
  description: 'append the facts of an NDJSON file (one envelope per line) to the store',
})
export class ImportCommand extends StoreCommand {
  constructor(private readonly stores: StoreOpener) {
    super();
  }

  async run([file]: string[], options: StoreOptions): Promise<void> {
    const progress = options.json ? ProgressBar.disabled() : new ProgressBar(process.stderr, 'importing');
    try {
      if (!file) throw new CliUsageError('import needs a file');
      statInputFile(file); // a missing file, a directory, a symlink loop: reported before any store is opened
      const storeUrl = this.stores.urlFor(options.store);
      const summary = await importInWorker(file, storeUrl, ({ bytesRead, totalBytes, events }) =>
        progress.update(bytesRead, totalBytes, events, 'lines'),
      );
      progress.finish();
      await (options.json ? printJson(summary) : printForPeople(summary, file, storeUrl));
      summary.rejected.dispose();
      process.exitCode = summary.rejected.count > 0 ? 2 : 0;
    } catch (error) {
      progress.finish();
      reportFailure(error, file);
    }
  }
}

async function printJson(summary: ImportSummary): Promise<void> {
  const out = process.stdout;
  out.write(`{"accepted":${summary.accepted},"duplicates":${summary.duplicates},"rejected":[`);
  let first = true;
  for await (const entry of summary.rejected.entries()) {
    const text = `${first ? '' : ','}${JSON.stringify(entry)}`;
    first = false;
    if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
  }
  out.write(']}\n');
}

async function printForPeople(summary: ImportSummary, file: string, store: string): Promise<void> {
  const lines = [
    `${file} → ${store}`,
    `  accepted    ${summary.accepted}`,
    `  duplicates  ${summary.duplicates}`,
    `  rejected    ${summary.rejected.count}`,
  ];
  const shown = summary.rejected.first(50);
  if (shown.length > 0) {
    lines.push(
      '',
      formatTable(
        ['line', 'eventId', 'reason', 'detail'],
        shown.map((entry) => [String(entry.line), entry.eventId ?? '-', entry.reason, entry.detail]),
        new Set([0]),
      ),
    );
    if (summary.rejected.count > shown.length) lines.push(`… and ${summary.rejected.count - shown.length} more (--json lists them all)`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
