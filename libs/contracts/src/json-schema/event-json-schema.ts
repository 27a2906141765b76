import { getMetadataStorage } from 'class-validator';
import { CURRENCY_MINOR_UNITS } from '../currency';
import { DATA_DTO_BY_TYPE } from '../dto/data';
import { EnvelopeDto } from '../dto/envelope.dto';
import { MoneyDto } from '../dto/money.dto';
import { EVENT_TYPES } from '../event-type';
import { MAX_EVENT_BYTES, MAX_NESTING_DEPTH } from '../parse-event';

type Schema = Record<string, unknown>;

/** RFC 3339 in regex form; calendar validity (Feb 30) is beyond a pattern and checked by the parser. */
const DATE_TIME_PATTERN =
  '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])[Tt]([01]\\d|2[0-3]):[0-5]\\d:([0-5]\\d|60)(\\.\\d+)?([Zz]|[+-]([01]\\d|2[0-3]):[0-5]\\d)$';
const POSITIVE_AMOUNT_PATTERN = '^(?!0+(\\.0+)?$)\\d{1,20}(\\.\\d+)?$';

/**
 * The JSON Schema of the contract, derived from the DTOs' validation metadata so that the two
 * cannot drift apart: a decorator this generator does not know fails loudly.
 */
export function buildEventJsonSchema(): Schema {
  const $defs: Schema = { Money: moneySchema() };
  for (const type of EVENT_TYPES) $defs[type] = withShapeRules(type, objectSchema(DATA_DTO_BY_TYPE[type]));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://capflow.dev/schemas/capflow-event.v1.schema.json',
    title: 'capflow event, contract version 1',
    description:
      `One fact as finance systems send it (Kafka value, NDJSON line, POST /events body). ` +
      `Generated from the contract's DTOs by \`capflow schema\`; EVENTS.md is normative. ` +
      `Beyond this schema the ledger also refuses, as schema_violation: events larger than ${MAX_EVENT_BYTES} bytes, ` +
      `nesting deeper than ${MAX_NESTING_DEPTH} levels, the keys __proto__, constructor and prototype, ` +
      `dates that do not exist (2025-02-30), a leap second other than 23:59:60 UTC on 30 June or 31 December, text that is not well-formed Unicode, and a commitment whose endsAt is not later than its startsAt.`,
    ...objectSchema(EnvelopeDto),
    allOf: EVENT_TYPES.map((type) => ({
      if: { properties: { type: { const: type } }, required: ['type'] },
      then: { properties: { data: { $ref: `#/$defs/${type}` } } },
    })),
    $defs,
  };
}

function objectSchema(dto: new () => object): Schema {
  const properties: Record<string, Schema> = {};
  const optional = new Set<string>();
  for (const entry of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
    const field = entry.propertyName;
    properties[field] ??= {};
    if (entry.type === 'conditionalValidation') optional.add(field);
    else if (entry.type === 'nestedValidation') properties[field] = { $ref: '#/$defs/Money' };
    else Object.assign(properties[field], fragment(entry.name ?? entry.type, entry.constraints ?? []));
  }
  const required = Object.keys(properties).filter((field) => !optional.has(field));
  return { type: 'object', additionalProperties: false, required, properties };
}

function fragment(rule: string, constraints: unknown[]): Schema {
  switch (rule) {
    case 'isEventId':
    case 'isIdentifier':
      return { type: 'string', pattern: constraints[0] };
    case 'isText':
      return {
        type: 'string',
        minLength: constraints[0],
        maxLength: constraints[1],
        ...(constraints[2] === 'refused' ? { pattern: '^[^\\u0000-\\u001f\\u007f]*$' } : {}),
      };
    case 'isOneOf':
      return { enum: constraints[0] };
    case 'isDateTime':
      return { type: 'string', format: 'date-time', pattern: DATE_TIME_PATTERN };
    case 'isAmount':
      return { type: 'string', pattern: POSITIVE_AMOUNT_PATTERN };
    case 'isDataObject':
      return { type: 'object' };
    case 'isMoney':
      return {}; // the nested reference to Money says it all
    default:
      throw new Error(`the JSON Schema generator does not know the validation rule ${rule}`);
  }
}

function moneySchema(): Schema {
  const byMinorUnits = new Map<number, string[]>();
  for (const [code, units] of Object.entries(CURRENCY_MINOR_UNITS)) {
    byMinorUnits.set(units, [...(byMinorUnits.get(units) ?? []), code]);
  }
  return {
    ...objectSchema(MoneyDto),
    description: 'A strictly positive decimal string with at most as many fraction digits as the currency has minor units.',
    allOf: [...byMinorUnits].map(([units, codes]) => ({
      if: { properties: { currency: { enum: codes } }, required: ['currency'] },
      then: { properties: { amount: { pattern: units === 0 ? '^\\d+$' : `^\\d+(\\.\\d{1,${units}})?$` } } },
    })),
  };
}

/** The *shape* rules of EVENTS.md that a JSON Schema can express. */
function withShapeRules(type: string, schema: Schema): Schema {
  if (type === 'InvoiceSettled') {
    return {
      ...schema,
      allOf: [
        { if: { properties: { method: { const: 'credits' } } }, then: { required: ['grantId'] } },
        { if: { properties: { method: { const: 'cash' } } }, then: { not: { required: ['grantId'] } } },
      ],
    };
  }
  if (type === 'ComputeCommitmentSigned') {
    return { ...schema, description: 'endsAt must be later than startsAt (not expressible here; the ledger checks it).' };
  }
  return schema;
}
