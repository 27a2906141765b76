import { KafkaError, KafkaErrorCode } from './kafka.errors';

/** Where capflow's topics are and how it consumes them; validated once, at start-up. */
export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** The input topic; its retry and dead-letter topics are `<input>.retry` and `<input>.dlq`. */
  topic: string;
  retryTopic: string;
  deadLetterTopic: string;
  groupId: string;
  /** Partitions of the topics capflow creates when they are missing. */
  partitions: number;
  /** Deliveries of an `unknown_reference` fact before it goes to the dead-letter topic. */
  maxAttempts: number;
  /** Wait before the first retry; doubled at each further attempt, up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  sessionTimeoutMs: number;
  /** Bytes one fetch brings of the topics in all, spread over their partitions: the size of a batch (see fetchBytesPerPartition). */
  fetchBytes: number;
}

export const DEFAULT_TOPIC = 'capflow.events.v1';
/** About 28,000 generated facts: a store transaction's worth. */
export const DEFAULT_FETCH_BYTES = 8 * 1024 * 1024;
export const DEFAULT_GROUP = 'capflow-ingest';

/** KAFKA_BROKERS and the CAPFLOW_KAFKA_* variables; undefined when KAFKA_BROKERS is not set. */
export function kafkaSettingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): KafkaSettings | undefined {
  const brokers = env.KAFKA_BROKERS?.trim();
  if (!brokers) return undefined;
  return kafkaSettings({
    brokers,
    topic: env.CAPFLOW_KAFKA_TOPIC,
    groupId: env.CAPFLOW_KAFKA_GROUP,
    clientId: env.CAPFLOW_KAFKA_CLIENT_ID,
    partitions: env.CAPFLOW_KAFKA_PARTITIONS,
    maxAttempts: env.CAPFLOW_KAFKA_RETRY_ATTEMPTS,
    backoffMs: env.CAPFLOW_KAFKA_RETRY_BACKOFF_MS,
    maxBackoffMs: env.CAPFLOW_KAFKA_RETRY_MAX_BACKOFF_MS,
    sessionTimeoutMs: env.CAPFLOW_KAFKA_SESSION_TIMEOUT_MS,
    fetchBytes: env.CAPFLOW_KAFKA_FETCH_BYTES,
  });
}

interface RawKafkaSettings {
  brokers: string;
  topic?: string;
  groupId?: string;
  clientId?: string;
  partitions?: string;
  maxAttempts?: string;
  backoffMs?: string;
  maxBackoffMs?: string;
  sessionTimeoutMs?: string;
  fetchBytes?: string;
}

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,200}$/;
const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;

export function kafkaSettings(raw: RawKafkaSettings): KafkaSettings {
  const brokers = raw.brokers
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  if (brokers.length === 0) invalid('KAFKA_BROKERS names no broker (host:port, comma-separated)');
  for (const broker of brokers) {
    const port = Number(broker.slice(broker.lastIndexOf(':') + 1));
    if (!BROKER.test(broker) || port < 1 || port > 65535) {
      invalid(`KAFKA_BROKERS: "${broker}" is not host:port`);
    }
  }
  const topic = raw.topic?.trim() || DEFAULT_TOPIC;
  if (!TOPIC_NAME.test(topic) || topic === '.' || topic === '..')
    invalid(`CAPFLOW_KAFKA_TOPIC: "${topic}" is not a Kafka topic name (letters, digits, . _ -)`);
  const groupId = raw.groupId?.trim() || DEFAULT_GROUP;
  if (!TOPIC_NAME.test(groupId)) invalid(`CAPFLOW_KAFKA_GROUP: "${groupId}" is not a group id (letters, digits, . _ -)`);
  const backoffMs = integer(raw.backoffMs, 'CAPFLOW_KAFKA_RETRY_BACKOFF_MS', 1000, 0, 3_600_000);
  return {
    brokers,
    clientId: raw.clientId?.trim() || 'capflow',
    topic,
    retryTopic: `${topic}.retry`,
    deadLetterTopic: `${topic}.dlq`,
    groupId,
    partitions: integer(raw.partitions, 'CAPFLOW_KAFKA_PARTITIONS', 6, 1, 10_000),
    maxAttempts: integer(raw.maxAttempts, 'CAPFLOW_KAFKA_RETRY_ATTEMPTS', 5, 1, 1000),
    backoffMs,
    maxBackoffMs: Math.max(backoffMs, integer(raw.maxBackoffMs, 'CAPFLOW_KAFKA_RETRY_MAX_BACKOFF_MS', 60_000, 0, 86_400_000)),
    sessionTimeoutMs: integer(raw.sessionTimeoutMs, 'CAPFLOW_KAFKA_SESSION_TIMEOUT_MS', 10_000, 1000, 300_000),
    fetchBytes: integer(raw.fetchBytes, 'CAPFLOW_KAFKA_FETCH_BYTES', DEFAULT_FETCH_BYTES, 16 * 1024, 256 * 1024 * 1024),
  };
}

function integer(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  if (!/^\d+$/.test(value.trim())) invalid(`${name}: "${value}" is not a whole number`);
  const parsed = Number(value.trim());
  if (parsed < min || parsed > max) invalid(`${name}: ${parsed} is outside ${min}…${max}`);
  return parsed;
}

function invalid(message: string): never {
  throw new KafkaError(KafkaErrorCode.InvalidConfig, message);
}
