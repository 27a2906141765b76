import { getMetadataStorage } from 'class-validator';

const cache = new WeakMap<object, ReadonlySet<string>>();

/** The fields a DTO declares through its validation decorators: anything else is unknown. */
export function declaredFieldsOf(dto: new () => object): ReadonlySet<string> {
  let fields = cache.get(dto);
  if (!fields) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
    fields = new Set(metadata.map((entry) => entry.propertyName));
    cache.set(dto, fields);
  }
  return fields;
}
