import { MoneyDto } from '../dto/money.dto';
import { fieldRulesOf } from './decorators';

const declared = new WeakMap<object, ReadonlySet<string>>();

/** The fields a DTO declares: anything else in an input is unknown. */
export function declaredFieldsOf(dto: abstract new () => object): ReadonlySet<string> {
  let fields = declared.get(dto);
  if (!fields) declared.set(dto, (fields = new Set(fieldRulesOf(dto).map((rule) => rule.property))));
  return fields;
}

/**
 * Checks a plain object against a DTO's decorators, the same rule functions class-validator
 * runs, called directly: class-validator looks its metadata up again on every call, which made
 * validation the costliest step of ingestion. A test holds the two to the same answers.
 * Returns the first problem as "path message", or null.
 */
export function validateAgainst(dto: abstract new () => object, value: Record<string, unknown>, path: string): string | null {
  const fields = declaredFieldsOf(dto);
  for (const key of Object.keys(value)) {
    if (!fields.has(key)) return `unknown field ${quote(key)} in ${path ? path.slice(0, -1) : 'the envelope'}`;
  }
  for (const rule of fieldRulesOf(dto)) {
    const item = value[rule.property];
    if (rule.optional && item === undefined) continue;
    const problem = rule.check?.(item, value) ?? null;
    if (problem !== null) return `${path}${rule.property} ${problem}`;
    if (rule.money) {
      const nested = validateAgainst(MoneyDto, item as Record<string, unknown>, `${path}${rule.property}.`);
      if (nested) return nested;
    }
  }
  return null;
}

export function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
