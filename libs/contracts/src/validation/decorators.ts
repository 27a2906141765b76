import { registerDecorator, ValidateIf, ValidateNested, ValidationArguments, ValidationOptions } from 'class-validator';
import { AMOUNT_PATTERN, amountProblem, isCurrencyCode } from '../currency';
import { codePointLength, EVENT_ID_PATTERN, hasControlCharacter, IDENTIFIER_PATTERN } from '../identifier';
import { parseRfc3339 } from '../time/instant';

/**
 * The contract's own field rules as class-validator decorators. Each registers under a stable
 * name that the JSON Schema generator maps to a schema fragment (see json-schema.ts).
 */
function rule(
  name: string,
  constraints: unknown[],
  check: (value: unknown, args: ValidationArguments) => string | null,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    const problems = new WeakMap<object, string>();
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
  return ValidateIf((_object, value) => value !== undefined);
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
  return rule('isDateTime', [], (value) => {
    const parsed = parseRfc3339(value as string);
    return typeof parsed === 'string' ? parsed : null;
  });
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

const MONEY_FIELDS = Symbol('capflow:money-fields');

/** A money object, validated as a nested MoneyDto. */
export function IsMoney(): PropertyDecorator {
  const nested = ValidateNested();
  return (target: object, propertyName: string | symbol) => {
    nested(target, propertyName);
    const owner = target as { [MONEY_FIELDS]?: string[] };
    owner[MONEY_FIELDS] = [...(owner[MONEY_FIELDS] ?? []), propertyName as string];
  };
}

/** The fields of a DTO class declared with @IsMoney(). */
export function moneyFieldsOf(dto: abstract new () => object): readonly string[] {
  return (dto.prototype as { [MONEY_FIELDS]?: string[] })[MONEY_FIELDS] ?? [];
}

/** The envelope's `data`: an object, whose fields the type's DTO validates. */
export function IsDataObject(): PropertyDecorator {
  return rule('isDataObject', [], (value) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? null : 'must be an object',
  );
}
