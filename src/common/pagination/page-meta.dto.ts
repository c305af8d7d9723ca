// The paging members every list response carries beside its items, for Swagger.
import { ApiProperty } from '@nestjs/swagger';
import type { PageMeta } from './page-request.js';
import { TOTAL_CAP } from './paginate.js';

export class PageMetaDto implements PageMeta {
  @ApiProperty({
    type: 'integer',
    example: 1234,
    description:
      `Rows matching the filters, exact up to ${TOTAL_CAP.toLocaleString('en')}. Beyond that ` +
      `it is ${TOTAL_CAP.toLocaleString('en')} and \`total_capped\` is true: an exact count of ` +
      'a large match would cost more than the page itself on every request.',
  })
  total: number;

  @ApiProperty({
    description: `true when more than ${TOTAL_CAP.toLocaleString('en')} rows match (\`total\` is then a lower bound)`,
  })
  total_capped: boolean;

  @ApiProperty({ type: 'integer', example: 100 })
  limit: number;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 0,
    description: 'The offset applied; null when the page was addressed by `cursor`',
  })
  offset: number | null;

  @ApiProperty({ description: 'More rows follow this page' })
  has_more: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` (with the same sort) for the next page; null on the last page',
  })
  next_cursor: string | null;
}
