import fc from 'fast-check';
import { KafkaError, KafkaErrorCode } from './kafka.errors';
import { DEFAULT_GROUP, DEFAULT_TOPIC, kafkaSettings, kafkaSettingsFromEnvironment } from './kafka-settings';

type Settings = NonNullable<ReturnType<typeof kafkaSettingsFromEnvironment>>;

const BROKERS = { KAFKA_BROKERS: 'localhost:9092' };

/** The error kafkaSettingsFromEnvironment throws for env; fails the test when it throws nothing. */
function refusalOf(env: NodeJS.ProcessEnv): KafkaError {
  try {
    kafkaSettingsFromEnvironment(env);
  } catch (error) {
    expect(error).toBeInstanceOf(KafkaError);
    return error as KafkaError;
  }
  throw new Error(`expected a refusal of ${JSON.stringify(env)}`);
}

describe('kafkaSettingsFromEnvironment', () => {
  it('given only KAFKA_BROKERS, when read, then every other setting takes its default', () => {
    expect(kafkaSettingsFromEnvironment(BROKERS)).toEqual({
      brokers: ['localhost:9092'],
      clientId: 'capflow',
      topic: 'capflow.events.v1',
      retryTopic: 'capflow.events.v1.retry',
      deadLetterTopic: 'capflow.events.v1.dlq',
      groupId: 'capflow-ingest',
      partitions: 6,
      maxAttempts: 5,
      backoffMs: 1000,
      maxBackoffMs: 60_000,
      sessionTimeoutMs: 10_000,
      fetchBytes: 8 * 1024 * 1024,
    });
    expect(DEFAULT_TOPIC).toBe('capflow.events.v1');
    expect(DEFAULT_GROUP).toBe('capflow-ingest');
  });

  it.each([
    ['unset', {}],
    ['empty', { KAFKA_BROKERS: '' }],
    ['blank', { KAFKA_BROKERS: ' \t ' }],
  ])('given KAFKA_BROKERS %s, when read, then Kafka is off (undefined)', (_, env) => {
    expect(kafkaSettingsFromEnvironment(env)).toBeUndefined();
  });

  it('given KAFKA_BROKERS unset, when the other variables are invalid, then they are not judged: Kafka is off', () => {
    expect(kafkaSettingsFromEnvironment({ CAPFLOW_KAFKA_PARTITIONS: 'many', CAPFLOW_KAFKA_TOPIC: 'a topic' })).toBeUndefined();
  });

  it('given several brokers with spaces and empty entries, when read, then each broker is kept, trimmed, in order', () => {
    const settings = kafkaSettingsFromEnvironment({ KAFKA_BROKERS: ' kafka-1:9092 , kafka-2.internal:19092,,[::1]:9094 ' });
    expect(settings?.brokers).toEqual(['kafka-1:9092', 'kafka-2.internal:19092', '[::1]:9094']);
  });

  it('given every variable, when read, then each one is used and the retry and dead-letter topics follow the topic', () => {
    const settings = kafkaSettingsFromEnvironment({
      KAFKA_BROKERS: 'broker:9092',
      CAPFLOW_KAFKA_TOPIC: ' finance.facts_v2 ',
      CAPFLOW_KAFKA_GROUP: 'ledger-writers',
      CAPFLOW_KAFKA_CLIENT_ID: ' capflow-eu ',
      CAPFLOW_KAFKA_PARTITIONS: '12',
      CAPFLOW_KAFKA_RETRY_ATTEMPTS: '3',
      CAPFLOW_KAFKA_RETRY_BACKOFF_MS: '250',
      CAPFLOW_KAFKA_RETRY_MAX_BACKOFF_MS: '4000',
      CAPFLOW_KAFKA_SESSION_TIMEOUT_MS: '30000',
      CAPFLOW_KAFKA_FETCH_BYTES: '65536',
    });
    expect(settings).toEqual({
      brokers: ['broker:9092'],
      clientId: 'capflow-eu',
      topic: 'finance.facts_v2',
      retryTopic: 'finance.facts_v2.retry',
      deadLetterTopic: 'finance.facts_v2.dlq',
      groupId: 'ledger-writers',
      partitions: 12,
      maxAttempts: 3,
      backoffMs: 250,
      maxBackoffMs: 4000,
      sessionTimeoutMs: 30_000,
      fetchBytes: 65_536,
    });
  });

  it('given blank optional variables, when read, then they take their defaults', () => {
    const settings = kafkaSettingsFromEnvironment({
      ...BROKERS,
      CAPFLOW_KAFKA_TOPIC: '  ',
      CAPFLOW_KAFKA_GROUP: '',
      CAPFLOW_KAFKA_CLIENT_ID: ' ',
      CAPFLOW_KAFKA_PARTITIONS: ' ',
      CAPFLOW_KAFKA_RETRY_ATTEMPTS: '',
      CAPFLOW_KAFKA_SESSION_TIMEOUT_MS: '   ',
    });
    expect(settings).toEqual(kafkaSettingsFromEnvironment(BROKERS));
  });

  it('given numbers with surrounding spaces or leading zeros, when read, then they are taken as whole numbers', () => {
    const settings = kafkaSettingsFromEnvironment({ ...BROKERS, CAPFLOW_KAFKA_PARTITIONS: ' 3 ', CAPFLOW_KAFKA_RETRY_ATTEMPTS: '007' });
    expect(settings?.partitions).toBe(3);
    expect(settings?.maxAttempts).toBe(7);
  });

  it.each([
    ['KAFKA_BROKERS', 'localhost'],
    ['KAFKA_BROKERS', 'host:99999'],
    ['KAFKA_BROKERS', 'host:65536'],
    ['KAFKA_BROKERS', 'host:123456'],
    ['KAFKA_BROKERS', 'host:'],
    ['KAFKA_BROKERS', ':9092'],
    ['KAFKA_BROKERS', 'host:port'],
    ['KAFKA_BROKERS', 'PLAINTEXT://host:9092'],
    ['KAFKA_BROKERS', 'host name:9092'],
    ['KAFKA_BROKERS', 'good:9092,localhost'],
    ['KAFKA_BROKERS', ' , ,'],
    ['CAPFLOW_KAFKA_TOPIC', 'capflow events'],
    ['CAPFLOW_KAFKA_TOPIC', 'capflow/events'],
    ['CAPFLOW_KAFKA_TOPIC', 'événements'],
    ['CAPFLOW_KAFKA_GROUP', 'my group'],
    ['CAPFLOW_KAFKA_GROUP', 'group:1'],
    ['CAPFLOW_KAFKA_PARTITIONS', 'six'],
    ['CAPFLOW_KAFKA_PARTITIONS', '0'],
    ['CAPFLOW_KAFKA_PARTITIONS', '10001'],
    ['CAPFLOW_KAFKA_PARTITIONS', '-1'],
    ['CAPFLOW_KAFKA_PARTITIONS', '1.5'],
    ['CAPFLOW_KAFKA_PARTITIONS', '1e3'],
    ['CAPFLOW_KAFKA_PARTITIONS', '0x10'],
    ['CAPFLOW_KAFKA_RETRY_ATTEMPTS', '0'],
    ['CAPFLOW_KAFKA_RETRY_ATTEMPTS', '1001'],
    ['CAPFLOW_KAFKA_RETRY_ATTEMPTS', 'five'],
    ['CAPFLOW_KAFKA_RETRY_BACKOFF_MS', 'soon'],
    ['CAPFLOW_KAFKA_RETRY_BACKOFF_MS', '-5'],
    ['CAPFLOW_KAFKA_RETRY_BACKOFF_MS', '3600001'],
    ['CAPFLOW_KAFKA_RETRY_MAX_BACKOFF_MS', '1m'],
    ['CAPFLOW_KAFKA_RETRY_MAX_BACKOFF_MS', '86400001'],
    ['CAPFLOW_KAFKA_SESSION_TIMEOUT_MS', '999'],
    ['CAPFLOW_KAFKA_SESSION_TIMEOUT_MS', '0'],
    ['CAPFLOW_KAFKA_SESSION_TIMEOUT_MS', '300001'],
    ['CAPFLOW_KAFKA_SESSION_TIMEOUT_MS', '10s'],
    ['CAPFLOW_KAFKA_FETCH_BYTES', '16383'],
    ['CAPFLOW_KAFKA_FETCH_BYTES', '1MiB'],
  ])('given %s=%j, when read, then it is refused with invalid_kafka_config, naming the variable', (name, value) => {
    const error = refusalOf({ ...BROKERS, [name]: value });
    expect(error.code).toBe(KafkaErrorCode.InvalidConfig);
    expect(error.code).toBe('invalid_kafka_config');
    expect(error.message).toContain(name);
  });

  it.each([
    [{ ...BROKERS, CAPFLOW_KAFKA_TOPIC: '.' }, 'CAPFLOW_KAFKA_TOPIC'],
    [{ ...BROKERS, CAPFLOW_KAFKA_TOPIC: '..' }, 'CAPFLOW_KAFKA_TOPIC'],
    [{ KAFKA_BROKERS: 'host:0' }, 'KAFKA_BROKERS'],
  ])('given %j, when read, then it is refused naming %s (Kafka itself would refuse it later)', (env, name) => {
    expect(refusalOf(env).message).toContain(name);
  });

  it('given a bad broker among good ones, when refused, then the message quotes the bad one', () => {
    expect(refusalOf({ KAFKA_BROKERS: 'a:9092,localhost,b:9092' }).message).toContain('"localhost"');
  });

  it.each([
    ['KAFKA_BROKERS', 'host:65535', (s: Settings) => s.brokers, ['host:65535']],
    ['KAFKA_BROKERS', '10.0.0.7:1', (s: Settings) => s.brokers, ['10.0.0.7:1']],
    ['CAPFLOW_KAFKA_PARTITIONS', '1', (s: Settings) => s.partitions, 1],
    ['CAPFLOW_KAFKA_PARTITIONS', '10000', (s: Settings) => s.partitions, 10_000],
    ['CAPFLOW_KAFKA_RETRY_ATTEMPTS', '1', (s: Settings) => s.maxAttempts, 1],
    ['CAPFLOW_KAFKA_RETRY_ATTEMPTS', '1000', (s: Settings) => s.maxAttempts, 1000],
    ['CAPFLOW_KAFKA_RETRY_BACKOFF_MS', '0', (s: Settings) => s.backoffMs, 0],
    ['CAPFLOW_KAFKA_RETRY_BACKOFF_MS', '3600000', (s: Settings) => s.backoffMs, 3_600_000],
    ['CAPFLOW_KAFKA_RETRY_MAX_BACKOFF_MS', '86400000', (s: Settings) => s.maxBackoffMs, 86_400_000],
    ['CAPFLOW_KAFKA_SESSION_TIMEOUT_MS', '1000', (s: Settings) => s.sessionTimeoutMs, 1000],
    ['CAPFLOW_KAFKA_SESSION_TIMEOUT_MS', '300000', (s: Settings) => s.sessionTimeoutMs, 300_000],
    ['CAPFLOW_KAFKA_FETCH_BYTES', '16384', (s: Settings) => s.fetchBytes, 16_384],
    ['CAPFLOW_KAFKA_FETCH_BYTES', '268435456', (s: Settings) => s.fetchBytes, 268_435_456],
  ])('given %s=%j at the edge of what is allowed, when read, then it is accepted', (name, value, pick, expected) => {
    const settings = kafkaSettingsFromEnvironment({ ...BROKERS, [name]: value });
    expect(settings && pick(settings)).toEqual(expected);
  });

  it('given a topic name of 200 characters, when read, then it is accepted; of 201, then it is refused naming CAPFLOW_KAFKA_TOPIC', () => {
    expect(kafkaSettingsFromEnvironment({ ...BROKERS, CAPFLOW_KAFKA_TOPIC: 't'.repeat(200) })?.topic).toBe('t'.repeat(200));
    const error = refusalOf({ ...BROKERS, CAPFLOW_KAFKA_TOPIC: 't'.repeat(201) });
    expect(error.code).toBe(KafkaErrorCode.InvalidConfig);
    expect(error.message).toContain('CAPFLOW_KAFKA_TOPIC');
  });

  it('given a maximum backoff below the backoff, when read, then the maximum is raised to the backoff', () => {
    expect(
      kafkaSettingsFromEnvironment({ ...BROKERS, CAPFLOW_KAFKA_RETRY_BACKOFF_MS: '5000', CAPFLOW_KAFKA_RETRY_MAX_BACKOFF_MS: '1000' }),
    ).toMatchObject({
      backoffMs: 5000,
      maxBackoffMs: 5000,
    });
    // the default maximum (60 s) is raised too when the backoff alone exceeds it
    expect(kafkaSettingsFromEnvironment({ ...BROKERS, CAPFLOW_KAFKA_RETRY_BACKOFF_MS: '120000' })).toMatchObject({
      backoffMs: 120_000,
      maxBackoffMs: 120_000,
    });
  });

  it('given any allowed backoff and maximum, when read, then the maximum is never below the backoff and otherwise kept', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3_600_000 }), fc.integer({ min: 0, max: 86_400_000 }), (backoff, max) => {
        const settings = kafkaSettings({ brokers: 'b:1', backoffMs: String(backoff), maxBackoffMs: String(max) });
        expect(settings.backoffMs).toBe(backoff);
        expect(settings.maxBackoffMs).toBe(Math.max(backoff, max));
      }),
      { numRuns: 200 },
    );
  });
});

describe('kafkaSettings', () => {
  it('given only brokers, when built, then it equals what the environment reader gives for them', () => {
    expect(kafkaSettings({ brokers: 'localhost:9092' })).toEqual(kafkaSettingsFromEnvironment(BROKERS));
  });

  it('given a brokers string naming no broker, when built, then it is refused naming KAFKA_BROKERS', () => {
    expect(() => kafkaSettings({ brokers: ' , ' })).toThrow(
      expect.objectContaining({ code: KafkaErrorCode.InvalidConfig, message: expect.stringContaining('KAFKA_BROKERS') }),
    );
  });
});
