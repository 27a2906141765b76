import { getMetadataStorage, validateSync } from 'class-validator';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DTO_BY_TYPE } from '../dto/data';
import { EnvelopeDto } from '../dto/envelope.dto';
import { MoneyDto } from '../dto/money.dto';
import { isEventType } from '../event-type';
import { validEvent } from '../testing/event-arbitraries';
import { validateAgainst } from './compiled-dto';
import { fieldRulesOf } from './decorators';

/**
 * class-validator's own answer: the DTOs validated as classes, nested money included. Unknown
 * fields are found from class-validator's metadata (its forbidNonWhitelisted misses a key named
 * like an Object.prototype method, e.g. "hasOwnProperty").
 */
function classValidatorAccepts(dto: new () => object, value: Record<string, unknown>): boolean {
  const declared = new Set(getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false).map((entry) => entry.propertyName));
  if (Object.keys(value).some((key) => !declared.has(key))) return false;
  const instance = Object.assign(new dto(), value) as Record<string, unknown>;
  for (const rule of fieldRulesOf(dto)) {
    const money = value[rule.property];
    if (rule.money && typeof money === 'object' && money !== null && !Array.isArray(money)) {
      if (!classValidatorAccepts(MoneyDto, money as Record<string, unknown>)) return false;
      instance[rule.property] = Object.assign(new MoneyDto(), money);
    }
  }
  return validateSync(instance).length === 0;
}

function compare(input: unknown): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return;
  const envelope = input as Record<string, unknown>;
  if (JSON.stringify(envelope).match(/__proto__|"constructor"|"prototype"/)) return; // refused before any DTO
  expect({ input, accepted: validateAgainst(EnvelopeDto, envelope, '') === null }).toEqual({ input, accepted: classValidatorAccepts(EnvelopeDto, envelope) });
  const data = envelope.data;
  if (!isEventType(envelope.type) || typeof data !== 'object' || data === null || Array.isArray(data)) return;
  const dto = DATA_DTO_BY_TYPE[envelope.type] as new () => object;
  expect({ data, accepted: validateAgainst(dto, data as Record<string, unknown>, 'data.') === null }).toEqual({
    data,
    accepted: classValidatorAccepts(dto, data as Record<string, unknown>),
  });
}

describe('the compiled validator', () => {
  it('answers as class-validator does on every line of the hostile corpus and the example', () => {
    for (const file of ['test/fixtures/hostile/corpus.ndjson', 'test/fixtures/contract/amazon-openai-loop.ndjson']) {
      for (const line of readFileSync(join(__dirname, '../../../..', file), 'utf8').split('\n')) {
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          continue;
        }
        compare(value);
      }
    }
  });

  it('answers as class-validator does on generated events, valid and broken', () => {
    const broken = validEvent().chain((event) =>
      fc.oneof(
        fc.constant(event),
        fc.tuple(fc.constantFrom(...Object.keys(event.data as object), 'extra'), fc.jsonValue()).map(([key, value]) => ({ ...event, data: { ...event.data, [key]: value } })),
        fc.tuple(fc.constantFrom('eventId', 'type', 'occurredAt', 'source', 'schemaVersion', 'extra'), fc.jsonValue()).map(([key, value]) => ({ ...event, [key]: value })),
      ),
    );
    fc.assert(fc.property(broken, (event) => compare(event)), { numRuns: 2000 });
  });
});
