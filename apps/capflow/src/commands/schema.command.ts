import { buildEventJsonSchema } from '@capflow/contracts';
import { Command, CommandRunner } from 'nest-commander';

/** The contract as JSON Schema, for producers. The copy in libs/contracts/schema/ is this output. */
@Command({ name: 'schema', description: 'print the JSON Schema of the event contract' })
export class SchemaCommand extends CommandRunner {
  async run(): Promise<void> {
    process.stdout.write(`${JSON.stringify(buildEventJsonSchema(), null, 2)}\n`);
  }
}
