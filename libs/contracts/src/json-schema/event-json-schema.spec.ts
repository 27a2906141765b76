import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEvent } from '../parse-event';
import { RejectionCode } from '../rejection-code';
import { buildEventJsonSchema } from './event-json-schema';
import { validEvent } from '../testing/event-arbitraries';

const root = join(__dirname, '../../../..');
const published = JSON.parse(readFileSync(join(root, 'libs/contracts/schema/capflow-event.v1.schema.json'), 'utf8'));
// `format` is an annotation here: the pattern beside it is what validates.
const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(published);

const depthOf = (value: unknown): number =>
  typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;

/** Shape rules a JSON Schema cannot express; the schema's description names each of them. */
function beyondSchema(line: string, value: unknown): boolean {
  const data = (value as { data?: Record<string, unknown> })?.data;
  return (
    Buffer.byteLength(line) > 65536 ||
    /"(__proto__|constructor|prototype)"\s*:/.test(line) ||
    depthOf(value) > 16 ||
    /\d{4}-(02-3[01]|02-29|(04|06|09|11)-31)/.test(line) || // days that do not exist
    /:60(\.\d+)?([Zz]|[+-])/.test(line) || // leap seconds: only some are real
    /\\u[dD][89abAB]/.test(line) || // lone surrogates, escaped
    (data !== undefined && typeof data === 'object' && data !== null && 'startsAt' in data && 'endsAt' in data) // endsAt > startsAt
  );
}

describe('the published JSON Schema', () => {
  it('is exactly what the DTOs generate (run `npm run --silent capflow -- schema > libs/contracts/schema/capflow-event.v1.schema.json`)', () => {
    expect(published).toEqual(JSON.parse(JSON.stringify(buildEventJsonSchema())));
  });

  it('accepts the shape of every valid generated event, as the parser does', () => {
    fc.assert(
      fc.property(validEvent(), (event) => {
        expect(parseEvent(JSON.stringify(event)).ok).toBe(true);
        expect(validate(event)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with the parser on every line of the example and of the hostile corpus', () => {
    const files = ['test/fixtures/contract/amazon-openai-loop.ndjson', 'test/fixtures/hostile/corpus.ndjson'];
    let compared = 0;
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          continue; // not JSON: no schema applies
        }
        if (beyondSchema(line, value)) continue;
        const outcome = parseEvent(line);
        const shapeRefused =
          !outcome.ok && [RejectionCode.SchemaViolation, RejectionCode.UnknownEventType].includes(outcome.rejection.reason);
        expect({ line, schema: validate(value) }).toEqual({ line, schema: !shapeRefused });
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(20);
  });
});
