/** Stable codes of the Kafka adapter's failures. */
export enum KafkaErrorCode {
  InvalidConfig = 'invalid_kafka_config',
  BrokerUnavailable = 'kafka_unavailable',
  TopicMissing = 'kafka_topic_missing',
  PublishFailed = 'kafka_publish_failed',
}

export class KafkaError extends Error {
  constructor(
    readonly code: KafkaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KafkaError';
  }
}
