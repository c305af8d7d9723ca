// The paging half of a list query (sort, limit, offset, cursor), made per resource because the
// sortable columns and limits differ; the filter half is declared by the resource's own DTO,
// which extends this one.
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { decodeCursorFor, InvalidCursorError } from './cursor.js';
import { EnumQuery, ExclusiveWith, IntegerQuery, QueryRule } from '../validation/query-fields.js';

export interface PagingOptions {
  /** Timestamp columns a list may be sorted by; `-column` sorts newest first. */
  sortable: readonly string[];
  defaultSort: string;
  defaultLimit: number;
  maxLimit: number;
  maxOffset: number;
}

/** The paging parameters of a list, as validated. */
export interface PageParams {
  sort?: string;
  limit?: number;
  offset?: number;
  cursor?: string;
}

export function sortValues(options: PagingOptions): string[] {
  return options.sortable.flatMap((column) => [column, `-${column}`]);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the mixin signature TypeScript requires
type Constructor = new (...args: any[]) => object;

/** The paging parameters on top of `Filters`, the class declaring the resource's filters. */
export function PageQueryDto<Filters extends Constructor>(
  options: PagingOptions,
  Filters: Filters = class {} as Filters,
) {
  const sorts = sortValues(options);

  class PageQuery extends Filters implements PageParams {
    @EnumQuery(sorts, {
      caseInsensitive: false,
      default: options.defaultSort,
      description: 'A leading `-` sorts newest first. Ties are broken by id.',
    })
    sort?: string;

    @IntegerQuery(1, options.maxLimit, { default: options.defaultLimit })
    limit?: number;

    @IntegerQuery(0, options.maxOffset, {
      default: 0,
      description:
        `Rows to skip. Deeper than ${options.maxOffset} rows, page with \`cursor\`, ` +
        'which stays fast at any depth. Not combinable with `cursor`.',
    })
    @ExclusiveWith('cursor')
    offset?: number;

    @ApiPropertyOptional({
      type: String,
      description:
        '`next_cursor` of the previous page (keyset paging: no row is skipped or repeated ' +
        'when rows arrive between requests). Only valid with the sort it was produced under.',
    })
    @IsOptional()
    @QueryRule('cursor', (value, property, query) => {
      if (typeof value !== 'string') return `${property} must be given once`;
      const sort = typeof query.sort === 'string' ? query.sort : options.defaultSort;
      try {
        decodeCursorFor(value, sort);
        return null;
      } catch (error) {
        if (error instanceof InvalidCursorError) return error.message;
        throw error;
      }
    })
    @ExclusiveWith('offset')
    cursor?: string;
  }
  return PageQuery;
}
