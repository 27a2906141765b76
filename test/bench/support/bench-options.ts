/** The options every benchmark shares: --events, --stores, --seed, --postgres; and a reader for its own. */
export interface CommonBenchOptions {
  /** The value after `name`, if given. */
  value(name: string): string | undefined;
  events: number;
  stores: string[];
  seed: number;
  postgresUrl: string;
}

const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

export function commonBenchOptions(args: string[]): CommonBenchOptions {
  const value = (name: string) => {
    const index = args.indexOf(name);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const events = Number((value('--events') ?? '1000000').replace(/_/g, ''));
  if (!Number.isSafeInteger(events) || events < 1) throw new Error('--events must be a positive integer');
  const stores = (value('--stores') ?? 'sqlite,postgres')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const store of stores) if (store !== 'sqlite' && store !== 'postgres') throw new Error(`unknown store ${store}: sqlite or postgres`);
  return {
    value,
    events,
    stores,
    seed: Number(value('--seed') ?? '20251103'),
    postgresUrl: value('--postgres') ?? process.env.CAPFLOW_BENCH_POSTGRES_URL ?? DEFAULT_POSTGRES_URL,
  };
}
