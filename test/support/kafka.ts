/**
 * Helpers of the kafka tier: unique topics per test, the ingest process as users run it
 * (`capflow ingest`, a child process that can be killed for real), and reading back what it did.
 */
import { openEventStore, StoredEvent } from '@capflow/event-store';
import { KafkaClient, kafkaSettings, OutboundRecord } from '@capflow/kafka';
import { ChildProcess, spawn } from 'node:child_process';
import { CLI_PATH, REPO_ROOT, runCli } from './cli';

// the kafka tier's specs import them from here
export { eventually, sleep } from './eventually';

export function brokers(): string {
  const value = process.env.KAFKA_BROKERS;
  if (!value) throw new Error('KAFKA_BROKERS is not set: the kafka project setup starts a broker (npm run test:kafka)');
  return value;
}

let counter = 0;
/** A topic (and group) name no other test or run uses. */
export function uniqueTopic(name: string): string {
  counter += 1;
  return `test.${name}.${process.pid}.${Date.now().toString(36)}.${counter}`;
}

/** The environment of capflow commands for one test's topic: fast retries, a short session timeout. */
export function kafkaEnv(topic: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    KAFKA_BROKERS: extra.KAFKA_BROKERS ?? brokers(),
    CAPFLOW_KAFKA_TOPIC: topic,
    CAPFLOW_KAFKA_GROUP: `${topic}.group`,
    CAPFLOW_KAFKA_RETRY_BACKOFF_MS: '200',
    CAPFLOW_KAFKA_RETRY_MAX_BACKOFF_MS: '1000',
    CAPFLOW_KAFKA_SESSION_TIMEOUT_MS: '6000',
    CAPFLOW_INGEST_PORT: '0',
    CAPFLOW_LOG_LEVEL: 'info',
    ...extra,
  };
}

export function client(topic: string, partitions = 3): KafkaClient {
  return new KafkaClient(kafkaSettings({ brokers: brokers(), topic, partitions: String(partitions) }));
}

/** Publishes raw records (bytes as given) to the topic, creating the topics first. */
export async function publish(topic: string, records: OutboundRecord[], partitions = 3): Promise<void> {
  const kafka = client(topic, partitions);
  try {
    await kafka.ensureTopics();
    const publisher = await kafka.publisher();
    try {
      await publisher.send(topic, records);
    } finally {
      await publisher.close();
    }
  } finally {
    await kafka.close();
  }
}

export interface IngestProcess {
  child: ChildProcess;
  /** Every line it logged so far. */
  logs: string[];
  /** /health and /metrics, once it logged that it started. */
  url(): Promise<string>;
  /** SIGTERM, and its exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no chance to finish anything. */
  kill(): Promise<void>;
}

/** `capflow ingest --store URL` as a child process. */
export function startIngest(store: string, env: Record<string, string>): IngestProcess {
  const child = spawn(process.execPath, [CLI_PATH, 'ingest', '--store', store], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let started: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (started = resolve));
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      logs.push(line);
      if (line.includes('"ingest started"')) started(JSON.parse(line).http);
    }
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    logs,
    url: () =>
      Promise.race([
        url,
        exited.then((code) => Promise.reject(new Error(`ingest exited (${code}) before it started:\n${logs.join('\n')}`))),
      ]),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Every stored event, in position order. */
export async function storedEvents(store: string): Promise<StoredEvent[]> {
  const eventStore = await openEventStore(store);
  try {
    const events: StoredEvent[] = [];
    for (;;) {
      const page = await eventStore.readAll({ after: events.length ? events[events.length - 1].position : 0, limit: 10_000 });
      if (page.length === 0) return events;
      events.push(...page);
    }
  } finally {
    await eventStore.close();
  }
}

export async function storeHead(store: string): Promise<number> {
  const eventStore = await openEventStore(store);
  try {
    return (await eventStore.head()).position;
  } finally {
    await eventStore.close();
  }
}

export interface DlqEntry {
  dlq: string;
  original: { topic: string; partition: number; offset: string } | null;
  eventId: string | null;
  reason: string;
  detail: string;
  attempt: number;
  bytes: number;
  valueOmitted?: string;
}

/** `capflow dlq list --json`. */
export function dlqList(env: Record<string, string>): DlqEntry[] {
  const result = runCli(['dlq', 'list', '--json'], { env });
  if (result.status !== 0) throw new Error(`dlq list failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

