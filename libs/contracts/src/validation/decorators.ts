import { registerDecorator, ValidateIf, ValidateNested, ValidationArguments, ValidationOptions } from 'class-validator';
import { AMOUNT_PATTERN, amountProblem, isCurrencyCode } from '../currency';
import { codePointLength, EVENT_ID_PATTERN, hasControlCharacter, IDENTIFIER_PATTERN } from '../identifier';
import { dateTimeProblem } from '../time/instant';

/** One rule of one field: a problem for people, or null when the value passes. */
export interface FieldRule {
  property: string;
  optional: boolean;
  money: boolean;
  check: ((value: unknown, object: Record<string, unknown>) => string | null) | null;
}

/** Each DTO's fields in declaration order, with the rule each carries: what compiled-dto reads. */
const FIELDS = new Map<object, Map<string, FieldRule>>();

function field(target: object, property: string): FieldRule {
  let fields = FIELDS.get(target.constructor);
  if (!fields) FIELDS.set(target.constructor, (fields = new Map()));
  let entry = fields.get(property);
  if (!entry) fields.set(property, (entry = { property, optional: false, money: false, check: null }));
  return entry;
}

export function fieldRulesOf(dto: abstract new () => object): readonly FieldRule[] {
  return [...(FIELDS.get(dto)?.values() ?? [])];
}

/**
 * The contract's own field rules as class-validator decorators. Each registers under a stable
 * name that the JSON Schema generator maps to a schema fragment (see json-schema.ts), and keeps
 * its check where the parser's compiled validator finds it (see compiled-dto.ts).
 */
function rule(
  name: string,
  constraints: unknown[],
  check: (value: unknown, args: ValidationArguments) => string | null,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    const problems = new WeakMap<object, string>();
    field(target, propertyName as string).check = (value, object) => check(value, { object } as ValidationArguments);
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      constraints,
      options,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const problem = check(value, args);
          if (problem !== null) problems.set(args.object, problem);
          return problem === null;
        },
        defaultMessage(args: ValidationArguments) {
          return `${args.property} ${problems.get(args.object) ?? 'is invalid'}`;
        },
      },
    });
  };
}

/** A field that may be absent but, when present, is never null. */
export function OptionalField(): PropertyDecorator {
  const conditional = ValidateIf((_object, value) => value !== undefined);
  return (target: object, propertyName: string | symbol) => {
    conditional(target, propertyName);
    field(target, propertyName as string).optional = true;
  };
}

export function IsEventId(): PropertyDecorator {
  return rule('isEventId', [EVENT_ID_PATTERN.source], (value) =>
    typeof value === 'string' && EVENT_ID_PATTERN.test(value) ? null : 'must be a UUID in 8-4-4-4-12 hex form',
  );
}

export function IsIdentifier(): PropertyDecorator {
  return rule('isIdentifier', [IDENTIFIER_PATTERN.source], (value) =>
    typeof value === 'string' && IDENTIFIER_PATTERN.test(value)
      ? null
      : 'must be an identifier: 1 to 128 of A-Z a-z 0-9 . _ : -, starting with a letter or digit',
  );
}

/**
 * Free text of min..max code points, well-formed Unicode. Control characters are refused only
 * where the contract refuses them (`source`); a name or a reason may hold a line break.
 */
export function IsText(min: number, max: number, options: { controlCharacters: 'allowed' | 'refused' }): PropertyDecorator {
  return rule('isText', [min, max, options.controlCharacters], (value) => {
    if (typeof value !== 'string') return 'must be a string';
    const length = codePointLength(value);
    if (length < min || length > max) return `must be ${min} to ${max} characters long`;
    if (!value.isWellFormed()) return 'must be well-formed Unicode text (it holds a lone surrogate)';
    if (options.controlCharacters === 'refused' && hasControlCharacter(value)) return 'must not contain control characters';
    return null;
  });
}

export function IsOneOf(values: readonly (string | number)[]): PropertyDecorator {
  return rule('isOneOf', [values], (value) =>
    (typeof value === 'string' || typeof value === 'number') && values.includes(value)
      ? null
      : `must be one of ${values.join(', ')}`,
  );
}

export function IsDateTime(): PropertyDecorator {
  return rule('isDateTime', [], (value) => dateTimeProblem(value as string));
}

/** The decimal amount of a money object; its currency is the sibling field. */
export function IsAmount(): PropertyDecorator {
  return rule('isAmount', [], (value, args) => {
    if (typeof value !== 'string') return 'must be a decimal string such as "10.50"';
    const currency = (args.object as { currency?: unknown }).currency;
    // Without a known currency only the digits can be judged; the currency field reports itself.
    if (!isCurrencyCode(currency)) return AMOUNT_PATTERN.test(value) ? null : amountProblem(value, 'USD');
    return amountProblem(value, currency);
  });
}

/** A money object (never an array or a string), validated as a nested MoneyDto. */
export function IsMoney(): PropertyDecorator {
  const nested = ValidateNested();
  const object = rule('isMoney', [], (value) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? null
      : 'must be a money object {"amount": "<decimal string>", "currency": "<ISO 4217>"}',
  );
  return (target: object, propertyName: string | symbol) => {
    object(target, propertyName);
    nested(target, propertyName);
    field(target, propertyName as string).money = true;
  };
}


/** The envelope's `data`: an object, whose fields the type's DTO validates. */
export function IsDataObject(): PropertyDecorator {
  return rule('isDataObject', [], (value) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? null : 'must be an object',
  );
}
