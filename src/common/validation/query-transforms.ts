import { Transform } from 'class-transformer';

// Query parameters arrive as strings. These convert only what is unambiguous and leave anything
// else as it came, so that the validator refuses it and names the parameter.

/** A flag as a query sends it, `true`/`false`/`1`/`0`; undefined for anything else. */
export function queryFlag(value: unknown): boolean | undefined {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return undefined;
}

/** `true`/`false`/`1`/`0`: Retailys' PHP SDK sends 1/0, other clients true/false. */
export function QueryBoolean(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => queryFlag(value) ?? value);
}

/** Decimal digits only: `12` is 12, while `1e2`, `0x10`, `12.0` and `` stay strings and are refused. */
export function QueryInteger(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value,
  );
}
