import { getMetadataStorage } from 'class-validator';

// class-validator looks up the rules of a class afresh on every validation of every nested
// object: it filters the class's rules and scans every registered class for ancestors
// (typestack/class-validator#2686), although the rules never change once the class is loaded.
// twenty memoizes the lookup the same way (twentyhq/twenty#24085). A target's rules are all
// registered when its class is evaluated, before it can be validated; classes evaluated later
// register only their own. Measured on the create body: 70 → 59 µs a validation.

/** class-validator's rule records (ValidationMetadata, which it does not export). */
type ValidationMetadata = object;

type Lookup = (
  target: unknown,
  schema: string,
  always: boolean,
  strictGroups: boolean,
  groups?: string[],
) => ValidationMetadata[];

let installed = false;

export function cacheValidationMetadata(): void {
  if (installed) return;
  installed = true;
  const storage = getMetadataStorage() as unknown as {
    getTargetValidationMetadatas: Lookup;
    groupByPropertyName(metadata: ValidationMetadata[]): Record<string, ValidationMetadata[]>;
  };
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const byTarget = new WeakMap<object, Map<string, ValidationMetadata[]>>();
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    if (typeof target !== 'function') return lookup(target, schema, always, strictGroups, groups);
    let cached = byTarget.get(target);
    if (!cached) byTarget.set(target, (cached = new Map<string, ValidationMetadata[]>()));
    const key = `${schema}|${always}|${strictGroups}|${groups?.join(',') ?? ''}`;
    let metadata = cached.get(key);
    if (!metadata) cached.set(key, (metadata = lookup(target, schema, always, strictGroups, groups)));
    return metadata;
  };
  // Grouped per property, once per looked-up list (the cached lists are the same arrays each time).
  const grouped = new WeakMap<ValidationMetadata[], Record<string, ValidationMetadata[]>>();
  storage.groupByPropertyName = (metadata) => {
    let result = grouped.get(metadata);
    if (!result) grouped.set(metadata, (result = group(metadata)));
    return result;
  };
}
