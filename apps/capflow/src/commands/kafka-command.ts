import { KafkaError, KafkaErrorCode, KafkaSettings, kafkaSettingsFromEnvironment } from '@capflow/kafka';
import { Option } from 'nest-commander';
import { StoreCommand, StoreOptions } from './store-command';

export interface KafkaOptions extends StoreOptions {
  brokers?: string;
  topic?: string;
}

/** Commands that talk to Kafka take --brokers (else KAFKA_BROKERS) and --topic (else CAPFLOW_KAFKA_TOPIC). */
export abstract class KafkaCommand extends StoreCommand {
  @Option({ flags: '--brokers <list>', description: 'Kafka brokers, host:port,… (default: $KAFKA_BROKERS)' })
  parseBrokers(value: string): string {
    return value;
  }

  @Option({ flags: '--topic <name>', description: 'the input topic (default: $CAPFLOW_KAFKA_TOPIC or capflow.events.v1)' })
  parseTopic(value: string): string {
    return value;
  }

  protected kafkaEnvironment(options: KafkaOptions): NodeJS.ProcessEnv {
    return {
      ...process.env,
      ...(options.brokers !== undefined ? { KAFKA_BROKERS: options.brokers } : {}),
      ...(options.topic !== undefined ? { CAPFLOW_KAFKA_TOPIC: options.topic } : {}),
    };
  }

  protected kafkaSettings(options: KafkaOptions): KafkaSettings {
    const settings = kafkaSettingsFromEnvironment(this.kafkaEnvironment(options));
    if (!settings) throw new KafkaError(KafkaErrorCode.InvalidConfig, 'no Kafka brokers: set KAFKA_BROKERS or pass --brokers host:port');
    return settings;
  }
}
