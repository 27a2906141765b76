import { verifyChain } from '@capflow/event-store';
import { Command, Option } from 'nest-commander';
import { CliUsageError, reportFailure } from '../output/cli-failure';
import { ProgressBar } from '../output/progress-bar';
import { StoreOpener } from '../store/store-opener.service';
import { StoreCommand, StoreOptions } from './store-command';

interface VerifyOptions extends StoreOptions {
  anchor?: string;
}

/** Exit 0: the chain holds; 2: the store was changed (the position is named); 1: could not run. */
@Command({
  name: 'verify',
  description: 'recompute the hash chain and name the first position where the store was changed',
})
export class VerifyCommand extends StoreCommand {
  constructor(private readonly stores: StoreOpener) {
    super();
  }

  @Option({ flags: '--anchor <position:hash>', description: 'a head recorded earlier (printed by verify): it must still be in the chain' })
  parseAnchor(value: string): string {
    return value;
  }

  async run(_: string[], options: VerifyOptions): Promise<void> {
    const progress = options.json ? ProgressBar.disabled() : new ProgressBar(process.stderr, 'verifying');
    try {
      const anchor = options.anchor === undefined ? undefined : parseAnchor(options.anchor);
      const store = await this.stores.open(options.store);
      try {
        const report = await verifyChain(store, {
          anchor,
          onProgress: (checked, head) => progress.update(checked, head, checked, 'events'),
        });
        progress.finish();
        if (options.json) {
          process.stdout.write(`${JSON.stringify(report)}\n`);
        } else if (report.ok) {
          process.stdout.write(
            `ok: ${report.checked} events verified\nhead: ${report.headPosition}:${report.headHash ?? '-'}\n` +
              '(record the head: `capflow verify --anchor <head>` later proves nothing before it was rewritten)\n',
          );
        } else {
          process.stdout.write(`TAMPERED at position ${report.problem!.position} (${report.problem!.kind}): ${report.problem!.detail}\n`);
        }
        process.exitCode = report.ok ? 0 : 2;
      } finally {
        await store.close();
      }
    } catch (error) {
      progress.finish();
      reportFailure(error);
    }
  }
}

function parseAnchor(text: string): { position: number; hash: string } {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(text);
  if (!match) throw new CliUsageError('--anchor takes POSITION:HASH as verify prints it (e.g. 42:9f86d0…)');
  return { position: Number(match[1]), hash: match[2] };
}
