// From validated paging parameters to what the SQL builders take.
import { InvalidInputError } from '../problem/domain-error.js';
import {
  decodeCursorFor,
  encodeCursor,
  InvalidCursorError,
  type KeysetPosition,
} from './cursor.js';
import type { KeysetOrder, PageWindow } from './keyset-query.js';
import type { Page } from './paginate.js';
import type { PageParams, PagingOptions } from './page-query.dto.js';

export interface PageRequest {
  sort: string;
  /** The sort column, unqualified (`created_at`). */
  column: string;
  direction: KeysetOrder['direction'];
  window: PageWindow;
}

export function pageRequest(params: PageParams, options: PagingOptions): PageRequest {
  const sort = params.sort ?? options.defaultSort;
  let after: KeysetPosition | null = null;
  if (params.cursor !== undefined) {
    try {
      after = decodeCursorFor(params.cursor, sort);
    } catch (error) {
      if (!(error instanceof InvalidCursorError)) throw error;
      throw new InvalidInputError([{ field: 'cursor', message: error.message }]);
    }
  }
  return {
    sort,
    column: sort.replace(/^-/, ''),
    direction: sort.startsWith('-') ? 'desc' : 'asc',
    window: {
      limit: params.limit ?? options.defaultLimit,
      offset: params.offset ?? 0,
      after,
    },
  };
}

/** The paging members of a list response (snake_case, as on the wire). */
export interface PageMeta {
  total: number;
  total_capped: boolean;
  limit: number;
  offset: number | null;
  has_more: boolean;
  next_cursor: string | null;
}

export function pageMeta(page: Page<unknown>, request: PageRequest): PageMeta {
  return {
    total: page.total,
    total_capped: page.totalCapped,
    limit: request.window.limit,
    offset: request.window.after ? null : request.window.offset,
    has_more: page.hasMore,
    next_cursor: page.next && encodeCursor(request.sort, page.next),
  };
}
