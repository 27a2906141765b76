import { KafkaClient, messageKeyOf, OutboundRecord } from '@capflow/kafka';
import { createReadStream } from 'node:fs';
import { Command } from 'nest-commander';
import { LineSplitter } from '@capflow/ingestion';
import { CliUsageError, reportFailure, statInputFile } from '../output/cli-failure';
import { ProgressBar } from '../output/progress-bar';
import { KafkaCommand, KafkaOptions } from './kafka-command';

/** Records per produce request; each request is acknowledged (acks -1) before the next, so order holds per key. */
const BATCH_RECORDS = 5000;
/** Longer lines are cut (and so rejected by ingestion): the topic takes at most 16 MiB per record. */
const MAX_LINE_BYTES = 4 * 1024 * 1024;

@Command({
  name: 'produce',
  arguments: '<file>',
  description: 'publish an NDJSON file to the input topic, one record per line, keyed by the entity each fact is about',
})
export class ProduceCommand extends KafkaCommand {
  async run([file]: string[], options: KafkaOptions): Promise<void> {
    const progress = options.json ? ProgressBar.disabled() : new ProgressBar(process.stderr, 'publishing');
    let client: KafkaClient | null = null;
    try {
      if (!file) throw new CliUsageError('produce needs a file');
      const totalBytes = statInputFile(file).size;
      client = new KafkaClient(this.kafkaSettings(options));
      await client.ensureTopics();
      const publisher = await client.publisher();
      const { topic } = client.settings;
      const keysById = new Map<string, string>();
      const splitter = new LineSplitter(MAX_LINE_BYTES);
      let batch: OutboundRecord[] = [];
      let published = 0;
      let bytesRead = 0;
      const flush = async () => {
        await publisher.send(topic, batch);
        published += batch.length;
        batch = [];
        progress.update(bytesRead, totalBytes, published, 'records');
      };
      try {
        for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
          bytesRead += (chunk as Buffer).length;
          for (const line of splitter.push(chunk as Buffer)) {
            batch.push({ key: messageKeyOf(line.bytes, keysById), value: line.bytes });
            if (batch.length >= BATCH_RECORDS) await flush();
          }
        }
        for (const line of splitter.end()) batch.push({ key: messageKeyOf(line.bytes, keysById), value: line.bytes });
        await flush();
      } finally {
        await publisher.close();
      }
      progress.finish();
      process.stdout.write(
        options.json ? `${JSON.stringify({ published, topic })}\n` : `${file} → ${topic}: ${published} records published\n`,
      );
    } catch (error) {
      progress.finish();
      reportFailure(error, file);
    } finally {
      await client?.close();
    }
  }
}
