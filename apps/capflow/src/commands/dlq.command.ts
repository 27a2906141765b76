import { DeadLetter, KafkaClient, originalHeaders, readDeadLetter } from '@capflow/kafka';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { CliUsageError, reportFailure } from '../output/cli-failure';
import { formatTable, printable } from '../output/table';
import { KafkaCommand, KafkaOptions } from './kafka-command';

interface DlqOptions extends KafkaOptions {
  reason?: string;
  all?: boolean;
}

/**
 * The dead-letter topic is written at least once (a crash between the publish and the offset
 * commit publishes again): records are read back once per original record, the latest copy.
 */
async function deadLetters(client: KafkaClient): Promise<DeadLetter[]> {
  const latest = new Map<string, DeadLetter>();
  for (const message of await client.readTopic(client.settings.deadLetterTopic)) {
    const letter = readDeadLetter(message);
    const id = letter.original
      ? `${letter.original.topic}/${letter.original.partition}@${letter.original.offset}`
      : `dlq/${letter.partition}@${letter.offset}`;
    latest.set(id, letter);
  }
  return [...latest.values()].sort(
    (a, b) => a.failedAt.localeCompare(b.failedAt) || a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)),
  );
}

/** A DLQ record named on the command line: `partition:offset` in the DLQ, or the eventId it carries. */
function matches(letter: DeadLetter, reference: string): boolean {
  const at = /^(\d+):(\d+)$/.exec(reference);
  if (at) return letter.partition === Number(at[1]) && letter.offset === at[2];
  return eventIdOf(letter)?.toLowerCase() === reference.toLowerCase();
}

function eventIdOf(letter: DeadLetter): string | null {
  try {
    const parsed = JSON.parse(letter.value?.toString('utf8') ?? '') as { eventId?: unknown };
    return typeof parsed?.eventId === 'string' ? parsed.eventId : null;
  } catch {
    return null;
  }
}

function summaryOf(letter: DeadLetter) {
  return {
    dlq: `${letter.partition}:${letter.offset}`,
    original: letter.original,
    eventId: eventIdOf(letter),
    reason: letter.reason,
    detail: letter.detail,
    attempt: letter.attempt,
    failedAt: letter.failedAt,
    key: letter.key?.toString('utf8') ?? null,
    bytes: letter.value?.length ?? 0,
    ...(letter.valueOmitted ? { valueOmitted: letter.valueOmitted } : {}),
  };
}

abstract class DlqCommand extends KafkaCommand {
  @Option({ flags: '--reason <code>', description: 'only records rejected with this code' })
  parseReason(value: string): string {
    return value;
  }

  protected async withClient<T>(options: DlqOptions, work: (client: KafkaClient, letters: DeadLetter[]) => Promise<T>): Promise<T> {
    const client = new KafkaClient(this.kafkaSettings(options));
    try {
      const letters = (await deadLetters(client)).filter((letter) => !options.reason || letter.reason === options.reason);
      return await work(client, letters);
    } finally {
      await client.close();
    }
  }
}

@SubCommand({ name: 'list', description: 'the records in the dead-letter topic: why each was refused and where it came from' })
export class DlqListCommand extends DlqCommand {
  async run(_: string[], options: DlqOptions): Promise<void> {
    try {
      await this.withClient(options, async (_client, letters) => {
        if (options.json) {
          process.stdout.write(`${JSON.stringify(letters.map(summaryOf))}\n`);
          return;
        }
        const rows = letters.map((letter) => {
          const s = summaryOf(letter);
          return [
            s.dlq,
            s.original ? `${s.original.topic}/${s.original.partition}@${s.original.offset}` : '-',
            s.eventId ?? '-',
            s.reason,
            String(s.attempt),
            s.failedAt,
            s.detail,
          ];
        });
        process.stdout.write(
          `${formatTable(['dlq', 'original', 'eventId', 'reason', 'attempt', 'failedAt', 'detail'], rows, new Set([4]))}\n${letters.length} records\n`,
        );
      });
    } catch (error) {
      reportFailure(error);
    }
  }
}

@SubCommand({ name: 'show', arguments: '<ref>', description: 'one record in full (ref: partition:offset in the DLQ, or an eventId)' })
export class DlqShowCommand extends DlqCommand {
  async run([reference]: string[], options: DlqOptions): Promise<void> {
    try {
      if (!reference) throw new CliUsageError('dlq show needs partition:offset or an eventId');
      await this.withClient(options, async (_client, letters) => {
        const found = letters.filter((letter) => matches(letter, reference));
        if (found.length === 0) throw new CliUsageError(`no dead-letter record ${reference}`);
        const shown = found.map((letter) => ({
          ...summaryOf(letter),
          headers: Object.fromEntries([...letter.headers].map(([name, value]) => [name, value.toString('utf8')])),
          value: letter.value?.toString('utf8') ?? null,
        }));
        if (options.json) process.stdout.write(`${JSON.stringify(shown.length === 1 ? shown[0] : shown)}\n`);
        else
          for (const record of shown)
            process.stdout.write(
              `${Object.entries(record)
                .map(([name, value]) => `${name}: ${printable(typeof value === 'string' ? value : JSON.stringify(value))}`)
                .join('\n')}\n\n`,
            );
      });
    } catch (error) {
      reportFailure(error);
    }
  }
}

@SubCommand({
  name: 'replay',
  arguments: '[refs...]',
  description: 'publish dead-letter records to the input topic again, once their cause is fixed (idempotency makes it safe)',
})
export class DlqReplayCommand extends DlqCommand {
  @Option({ flags: '--all', description: 'every record (with --reason: every record with that code)' })
  parseAll(): boolean {
    return true;
  }

  async run(references: string[], options: DlqOptions): Promise<void> {
    try {
      if (references.length === 0 && !options.all && !options.reason)
        throw new CliUsageError('dlq replay needs refs (partition:offset or eventId), --reason CODE or --all');
      await this.withClient(options, async (client, letters) => {
        const chosen =
          references.length === 0 ? letters : letters.filter((letter) => references.some((reference) => matches(letter, reference)));
        const missing = references.filter((reference) => !letters.some((letter) => matches(letter, reference)));
        if (missing.length > 0) throw new CliUsageError(`no dead-letter record ${missing.join(', ')}`);
        const omitted = chosen.filter((letter) => letter.valueOmitted);
        const replayed = chosen.filter((letter) => !letter.valueOmitted);
        const publisher = await client.publisher();
        try {
          await publisher.send(
            client.settings.topic,
            replayed.map((letter) => ({ key: letter.key, value: letter.value, headers: originalHeaders(letter) })),
          );
        } finally {
          await publisher.close();
        }
        const result = {
          replayed: replayed.length,
          skipped: omitted.map((letter) => ({ dlq: `${letter.partition}:${letter.offset}`, why: 'its value was too large to keep' })),
          topic: client.settings.topic,
        };
        process.stdout.write(
          options.json
            ? `${JSON.stringify(result)}\n`
            : `${result.replayed} records published to ${result.topic}${omitted.length ? `; ${omitted.length} skipped (value not kept)` : ''}\n`,
        );
      });
    } catch (error) {
      reportFailure(error);
    }
  }
}

@Command({
  name: 'dlq',
  description: 'the dead-letter topic: list, show, replay',
  subCommands: [DlqListCommand, DlqShowCommand, DlqReplayCommand],
})
export class DlqCommandGroup extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}
