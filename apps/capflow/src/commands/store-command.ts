import { CommandRunner, Option } from 'nest-commander';

export interface StoreOptions {
  store?: string;
  json?: boolean;
}

/** Every command takes --store URL (else CAPFLOW_STORE, else the embedded default) and --json. */
export abstract class StoreCommand extends CommandRunner {
  @Option({ flags: '--store <url>', description: 'sqlite:PATH, postgres://… (default: $CAPFLOW_STORE or sqlite:./data/capflow.db)' })
  parseStore(value: string): string {
    return value;
  }

  @Option({ flags: '--json', description: 'machine-readable output' })
  parseJson(): boolean {
    return true;
  }
}
