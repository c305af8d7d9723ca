import { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { EnumQuery } from '../../common/validation/query-fields.js';
import { ALERT_PAGING, type AlertListOptions } from '../alert-sql.js';
import { AlertFilterDto } from './alert-filter.dto.js';

/** What `include` may add to each alert of a list page. */
export const LIST_INCLUDES = ['enrichment'] as const;
export type ListInclude = (typeof LIST_INCLUDES)[number];

/** `GET /api/alerts`: every filter optional, all combined with AND, plus the paging. */
export class ListAlertsQueryDto extends PageQueryDto(ALERT_PAGING, AlertFilterDto) {
  @EnumQuery(LIST_INCLUDES, {
    many: true,
    example: 'enrichment',
    description:
      "`enrichment`: each alert's whole enrichment document, as `GET /api/alerts/{id}` has it " +
      '(left out by default: it is half of a page and the list shows `enrichment_type`).',
  })
  include?: ListInclude[];
}

export function toListOptions(query: ListAlertsQueryDto): AlertListOptions {
  return { enrichment: query.include?.includes('enrichment') ?? false };
}
