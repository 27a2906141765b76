import { LedgerVerifyReport, openReadModelStore, ReadModelCheck, ReadModelStore, verified, verifyLedger } from '@capflow/read-models';
import { Command, Option } from 'nest-commander';
import { CliUsageError, reportFailure } from '../output/cli-failure';
import { ProgressBar } from '../output/progress-bar';
import { StoreOpener } from '../store/store-opener.service';
import { StoreCommand, StoreOptions } from './store-command';

interface VerifyOptions extends StoreOptions {
  anchor?: string;
  logOnly?: boolean;
}

/**
 * Exit 0: the chain holds and every read model is what the log implies; 2: the store was changed
 * (the position, or the read model and its row, is named); 1: could not run.
 */
@Command({
  name: 'verify',
  description: 'recompute the hash chain and the read models from the log, and name the first position or row where the store was changed',
})
export class VerifyCommand extends StoreCommand {
  constructor(private readonly stores: StoreOpener) {
    super();
  }

  @Option({ flags: '--anchor <position:hash>', description: 'a head recorded earlier (printed by verify): it must still be in the chain' })
  parseAnchor(value: string): string {
    return value;
  }

  @Option({ flags: '--log-only', description: 'check the hash chain only, not the read models' })
  parseLogOnly(): boolean {
    return true;
  }

  async run(_: string[], options: VerifyOptions): Promise<void> {
    const progress = options.json ? ProgressBar.disabled() : new ProgressBar(process.stderr, 'verifying');
    const readSideProgress = options.json || options.logOnly ? ProgressBar.disabled() : new ProgressBar(process.stderr, 'recomputing');
    try {
      const anchor = options.anchor === undefined ? undefined : parseAnchor(options.anchor);
      const store = await this.stores.open(options.store);
      let readModels: ReadModelStore | null = null;
      try {
        readModels = options.logOnly ? null : await openReadModelStore(this.stores.urlFor(options.store));
        const report = await verifyLedger(store, readModels, {
          anchor,
          onLogProgress: (checked, head) => progress.update(checked, head, checked, 'events'),
          onReadSideProgress: (events, total) => {
            progress.finish();
            readSideProgress.update(events, total, events, 'events');
          },
        });
        progress.finish();
        readSideProgress.finish();
        process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : printed(report));
        process.exitCode = verified(report) ? 0 : 2;
      } finally {
        await readModels?.close();
        await store.close();
      }
    } catch (error) {
      progress.finish();
      readSideProgress.finish();
      reportFailure(error);
    }
  }
}

function printed(report: LedgerVerifyReport): string {
  if (!report.ok) return `TAMPERED at position ${report.problem!.position} (${report.problem!.kind}): ${report.problem!.detail}\n`;
  const log =
    `ok: ${report.checked} events verified\nhead: ${report.headPosition}:${report.headHash ?? '-'}\n` +
    '(record the head: `capflow verify --anchor <head>` later proves nothing before it was rewritten)\n';
  const readSide = report.readSide;
  if (!readSide) return log;
  if (readSide.problem)
    return `${log}TAMPERED read model ${readSide.problem.readModel}, ${readSide.problem.row}: ${readSide.problem.detail}\n`;
  if (readSide.checked.length === 0) return `${log}read models: none built yet\n`;
  return `${log}read models match the log: ${readSide.checked.map(checkedText).join(', ')}\n`;
}

function checkedText(check: ReadModelCheck): string {
  const behind = check.behind > 0 ? `, ${check.behind} behind the head` : '';
  const what = check.readModel === 'snapshots' ? `${check.rows} built at position ${check.position}` : `position ${check.position}`;
  return `${check.readModel} (${what}${behind})`;
}

function parseAnchor(text: string): { position: number; hash: string } {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(text);
  if (!match) throw new CliUsageError('--anchor takes POSITION:HASH as verify prints it (e.g. 42:9f86d0…)');
  return { position: Number(match[1]), hash: match[2] };
}
