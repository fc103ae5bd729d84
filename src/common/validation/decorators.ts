import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Decimal } from '../money/money.js';
import {
  IsInt,
  IsNumber,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  type ValidationArguments,
  isISO8601,
} from 'class-validator';

/** Ids are Postgres integers: 1 to 2147483647. */
export const MAX_ID = 2_147_483_647;

/** An id of an order, line, status, shipper, channel...: a whole number from 1 to 2147483647. */
export function IsId(): PropertyDecorator {
  // The Swagger plugin reads only class-validator decorators written out, so the bounds are
  // declared for the document here as well.
  return applyDecorators(IsInt(), Min(1), Max(MAX_ID), ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_ID }));
}

/**
 * At most `places` decimals, counted exactly (decimal.js on the number's shortest text):
 * class-validator's maxDecimalPlaces splits the text at its dot and fails on `1e-7`, which is how
 * JavaScript writes 0.0000001. Other values are left to IsNumber.
 */
export function HasAtMostDecimals(
  places: number,
  message = `$property must be a number with at most ${places} decimals`,
): PropertyDecorator {
  return ValidateBy({
    name: 'hasAtMostDecimals',
    constraints: [places],
    validator: {
      validate: (value: unknown) =>
        typeof value !== 'number' || !Number.isFinite(value) || new Decimal(String(value)).decimalPlaces() <= places,
      defaultMessage: () => message,
    },
  });
}

/** Largest unit price or amount accepted: keeps every total exact as a JSON number. */
export const MAX_AMOUNT = 1_000_000_000;

/** A non-negative JSON number with at most four decimals (the most any currency has). */
export function IsAmount(): PropertyDecorator {
  return applyDecorators(
    IsNumber(
      { allowNaN: false, allowInfinity: false },
      { message: '$property must be a number with at most 4 decimals' },
    ),
    HasAtMostDecimals(4),
    Min(0),
    Max(MAX_AMOUNT),
  );
}

/** A percentage from 0 to 100 with at most 2 decimals (a discount). */
export function IsPercent(): PropertyDecorator {
  return applyDecorators(
    IsNumber(
      { allowNaN: false, allowInfinity: false },
      { message: '$property must be a number with at most 2 decimals' },
    ),
    HasAtMostDecimals(2),
    Min(0),
    Max(100),
  );
}

const DATE_TIME_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** ISO 8601 date-time with a UTC offset, e.g. 2024-05-02T10:15:00+02:00 (what Retailys sends). */
export function IsDateTimeWithOffset(): PropertyDecorator {
  return ValidateBy({
    name: 'isDateTimeWithOffset',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && DATE_TIME_WITH_OFFSET.test(value) && isISO8601(value, { strict: true }),
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property} must be an ISO 8601 date-time with an offset, e.g. 2024-05-02T10:15:00+02:00`,
    },
  });
}

/** Refuses the field when `other` is given too: for pairs where exactly one is expected. */
export function NotTogetherWith(other: string): PropertyDecorator {
  return ValidateBy({
    name: 'notTogetherWith',
    validator: {
      validate: (_value: unknown, args?: ValidationArguments) =>
        (args?.object as Record<string, unknown> | undefined)?.[other] == null,
      defaultMessage: (args?: ValidationArguments) => `give either ${other} or ${args?.property}, not both`,
    },
  });
}

/** Upper-cases strings (currency and country codes), leaving anything else for the validator. */
export function UpperCase(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value));
}

/** May be left out, but when given must be valid: unlike @IsOptional, null is not a way to leave it out. */
export function IsOmittable(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}

/** Names of the fields whose value is an object of the caller's own keys (see KeysAsGiven). */
export const DICTIONARY_FIELDS = new Set<string>();

/**
 * A field whose value is an object of the caller's own keys (metadata), taken as the request gave
 * it. class-transformer copies a plain object key by key and leaves out every key an object
 * already answers with a function: a partner's `toString` or `valueOf` key was dropped, the order
 * created without it, and a list filtered on `metadata[toString]` was not filtered at all. The
 * validation pipe looks up these names to tell such keys from fields.
 */
export function KeysAsGiven(): PropertyDecorator {
  const keep = Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => obj[key], {
    toClassOnly: true,
  });
  return (target, property) => {
    DICTIONARY_FIELDS.add(String(property));
    keep(target, property);
  };
}

/** Trims strings, leaving anything else for the validator. */
export function Trim(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));
}

/** A calendar day, YYYY-MM-DD, that exists (no 2024-02-30). */
export function IsCalendarDate(): PropertyDecorator {
  return ValidateBy({
    name: 'isCalendarDate',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
        const day = new Date(`${value}T00:00:00Z`);
        return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(value);
      },
      defaultMessage: () => '$property must be a day written YYYY-MM-DD',
    },
  });
}
