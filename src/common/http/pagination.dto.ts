import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { QueryInteger } from '../validation/query-transforms.js';

export const PER_PAGE_MIN = 10;
export const PER_PAGE_MAX = 250;

/** `page`: 1-based, as Retailys takes it. */
export function PageNumber(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ required: false, default: 1, minimum: 1, maximum: 1_000_000, type: 'integer' }),
    IsOptional(),
    QueryInteger(),
    IsInt(),
    Min(1),
    Max(1_000_000),
  );
}

/** `per_page`: `min` to 250, 10 by default. */
export function PageSize(min: number): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ required: false, default: PER_PAGE_MIN, minimum: min, maximum: PER_PAGE_MAX, type: 'integer' }),
    IsOptional(),
    QueryInteger(),
    IsInt(),
    Min(min),
    Max(PER_PAGE_MAX),
  );
}

/** `page` and `per_page` as Retailys takes them: 1-based, 10 to 250 per page, 10 by default. */
export class PageQuery {
  /** Page number, from 1. */
  @PageNumber()
  page: number = 1;

  /** Page size, 10 to 250. */
  @PageSize(PER_PAGE_MIN)
  per_page: number = PER_PAGE_MIN;
}

export class Paginator {
  /** @example 1 */
  page!: number;
  /** @example 10 */
  per_page!: number;
  /** Number of pages; 0 when nothing matches. @example 3 */
  pages!: number;
  /** Number of matching records. @example 27 */
  total!: number;
}

export function paginator(page: number, perPage: number, total: number): Paginator {
  return { page, per_page: perPage, pages: Math.ceil(total / perPage), total };
}
