import { ValidationTypes, type ValidatorOptions, getMetadataStorage } from 'class-validator';

// class-validator's ValidationExecutor makes a ValidationError for every property of every
// nested object it checks, valid or not, plus the lists and arguments around it, and strips the
// empty ones at the end: 7 101 of them for a batch of 100 orders of 3 lines, most of the
// validation's time and a good part of its garbage, for a body that in the end has no error.
//
// passesAllRules walks the same rules the same way (the metadata class-validator looks up, in the
// conditions its executor applies them: ValidateIf and IsOptional first, IsDefined, then the
// constraints, each element for `each`, nested objects and arrays of them) and calls the same
// constraint functions, but only answers whether every one holds. Wherever it is not sure (a
// constraint answering a promise, a Set or Map, a property class-validator would strip) it says
// no. The pipe asks it first, and class-validator itself only when it says no: that run finds
// and words the errors. So a body is let through only when class-validator would let it through
// (test/unit/rule-check.test.ts holds the two to the same verdict on generated bodies).

/** A validated class, or what class-validator takes for one (its rules are keyed by constructor). */
type Target = abstract new (...args: never[]) => unknown;

/** class-validator's rule record (ValidationMetadata, which it does not export). */
interface Rule {
  type: string;
  target: Target | string;
  propertyName: string;
  constraints: unknown[];
  constraintCls: Target;
  each?: boolean;
  validateIf?: (object: object, value: unknown) => boolean;
}

interface ConstraintRecord {
  async: boolean;
  instance: { validate(value: unknown, args: unknown): unknown };
}

interface Storage {
  getTargetValidationMetadatas(
    target: Target,
    schema: string | undefined,
    always: boolean,
    strictGroups: boolean,
    groups?: string[],
  ): Rule[];
  groupByPropertyName(rules: Rule[]): Record<string, Rule[]>;
  getTargetValidatorConstraints(constraintClass: Target): ConstraintRecord[];
}

/** A rule with the constraint records class-validator calls for it. */
interface CheckedRule {
  rule: Rule;
  constraints: ConstraintRecord[];
}

/** A property's rules as the executor sorts them. */
interface PropertyRules {
  property: string;
  defined: CheckedRule[];
  custom: CheckedRule[];
  nested: Rule[];
  conditional: Array<(object: object, value: unknown) => unknown>;
  /** A rule the executor waits on (ValidatePromise): not checked here. */
  promised: boolean;
}

/** A class's rules for one set of groups, looked up once (as validation-metadata-cache.ts does). */
interface ClassRules {
  count: number;
  byProperty: Record<string, Rule[]>;
  properties: PropertyRules[];
  targetName: string | undefined;
}

const isPromise = (value: unknown): boolean =>
  value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';

/** The checks for each set of options a pipe validates with. */
const checks = new Map<string, RuleCheck>();

/**
 * Whether `object` (an instance of a validated class, as class-transformer made it) passes every
 * rule class-validator would check with `options`. False also where it cannot tell: then ask
 * class-validator.
 */
export function passesAllRules(object: object, options: ValidatorOptions): boolean {
  const key = JSON.stringify([
    options.groups ?? null,
    options.always ?? false,
    options.strictGroups ?? false,
    options.forbidUnknownValues !== false,
    options.whitelist ?? false,
    options.skipUndefinedProperties ?? false,
    options.skipNullProperties ?? false,
    options.skipMissingProperties ?? false,
  ]);
  let check = checks.get(key);
  if (!check) checks.set(key, (check = new RuleCheck(options)));
  return check.object(object, undefined);
}

class RuleCheck {
  private readonly storage = getMetadataStorage() as unknown as Storage;
  private readonly forbidUnknownValues: boolean;
  private readonly classes = new Map<Target, Map<string | undefined, ClassRules>>();

  constructor(private readonly options: ValidatorOptions) {
    // As class-validator reads it: on unless set to false.
    this.forbidUnknownValues = options.forbidUnknownValues !== false;
  }

  /** ValidationExecutor.execute. */
  object(object: object, schema: string | undefined): boolean {
    const rules = this.rulesOf(object.constructor as Target, schema);
    if (this.forbidUnknownValues && rules.count === 0) return false;
    if (this.options.whitelist) {
      // A property without rules is an error (forbidNonWhitelisted) or is deleted, which only
      // class-validator's own run does.
      for (const key in object) {
        if (!Object.hasOwn(object, key)) continue;
        const known = rules.byProperty[key];
        if (!known || known.length === 0) return false;
      }
    }
    for (const property of rules.properties) {
      const value = (object as Record<string, unknown>)[property.property];
      if (property.promised || value instanceof Promise) return false;
      if (!this.property(object, value, property, rules.targetName)) return false;
    }
    return true;
  }

  private rulesOf(target: Target, schema: string | undefined): ClassRules {
    let bySchema = this.classes.get(target);
    if (!bySchema) this.classes.set(target, (bySchema = new Map<string | undefined, ClassRules>()));
    let found = bySchema.get(schema);
    if (!found) {
      const rules = this.storage.getTargetValidationMetadatas(
        target,
        schema,
        this.options.always ?? false,
        this.options.strictGroups ?? false,
        this.options.groups,
      );
      const byProperty = this.storage.groupByPropertyName(rules);
      const checked = (list: Rule[]) =>
        list.map((rule) => ({ rule, constraints: this.storage.getTargetValidatorConstraints(rule.constraintCls) }));
      found = {
        count: rules.length,
        byProperty,
        targetName: target ? target.name : undefined,
        properties: Object.entries(byProperty).map(([property, all]) => {
          const others = all.filter(
            (rule) => rule.type !== ValidationTypes.IS_DEFINED && rule.type !== ValidationTypes.WHITELIST,
          );
          return {
            property,
            defined: checked(all.filter((rule) => rule.type === ValidationTypes.IS_DEFINED)),
            custom: checked(others.filter((rule) => rule.type === ValidationTypes.CUSTOM_VALIDATION)),
            nested: others.filter((rule) => rule.type === ValidationTypes.NESTED_VALIDATION),
            conditional: others
              .filter((rule) => rule.type === ValidationTypes.CONDITIONAL_VALIDATION)
              .map((rule) => rule.constraints[0] as (object: object, value: unknown) => unknown),
            promised: others.some((rule) => rule.type === ValidationTypes.PROMISE_VALIDATION),
          };
        }),
      };
      bySchema.set(schema, found);
    }
    return found;
  }

  /** ValidationExecutor.performValidations. */
  private property(object: object, value: unknown, rules: PropertyRules, targetName: string | undefined): boolean {
    for (const condition of rules.conditional) if (!condition(object, value)) return true;
    if (rules.defined.length > 0 && !this.constraints(object, value, rules.defined, targetName)) return false;
    if (value === undefined && this.options.skipUndefinedProperties === true) return true;
    if (value === null && this.options.skipNullProperties === true) return true;
    if ((value === null || value === undefined) && this.options.skipMissingProperties === true) return true;
    return this.constraints(object, value, rules.custom, targetName) && this.nested(value, rules.nested);
  }

  /** ValidationExecutor.customValidations. */
  private constraints(object: object, value: unknown, rules: CheckedRule[], targetName: string | undefined): boolean {
    for (const { rule, constraints } of rules) {
      if (rule.validateIf && !rule.validateIf(object, value)) continue;
      if (constraints.length === 0) continue;
      const args = { targetName, property: rule.propertyName, object, value, constraints: rule.constraints };
      const many = rule.each && (Array.isArray(value) || value instanceof Set || value instanceof Map);
      if (many && !Array.isArray(value)) return false;
      for (const constraint of constraints) {
        if (!many) {
          const valid = constraint.instance.validate(value, args);
          if (!valid || isPromise(valid)) return false;
          continue;
        }
        for (const element of value as unknown[]) {
          const valid = constraint.instance.validate(element, args);
          if (!valid || isPromise(valid)) return false;
        }
      }
    }
    return true;
  }
  /** ValidationExecutor.nestedValidations. */
  private nested(value: unknown, rules: Rule[]): boolean {
    if (value === undefined) return true;
    for (const rule of rules) {
      if (Array.isArray(value)) {
        // Each element as the executor checks it: with only the nested rules.
        for (const element of value) if (!this.nested(element, [rule])) return false;
      } else if (value instanceof Set || value instanceof Map) {
        return false;
      } else if (value instanceof Object) {
        if (!this.object(value, typeof rule.target === 'string' ? rule.target : rule.target.name)) return false;
      } else {
        return false;
      }
    }
    return true;
  }
}
