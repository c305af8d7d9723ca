// `GET /api/alerts/{id}/related` on the wire: the alert's window and one group per shared key.
import { ApiProperty } from '@nestjs/swagger';
import { TOTAL_CAP } from '../../common/pagination/paginate.js';
import type { RelatedAlerts } from '../alerts.service.js';
import { RELATED_CAP, RELATED_KEYS, type RelatedKey } from '../related-sql.js';
import { AlertDto } from './alert.dto.js';

export class RelatedGroupDto {
  @ApiProperty({
    enum: RELATED_KEYS,
    description:
      "What the group's alerts share with the alert: its `src_ip` or its `dst_ip` (found on " +
      'either side of the other alert), or its `user`',
  })
  shared: RelatedKey;

  @ApiProperty({ example: '10.0.1.23', description: 'The shared address or user name' })
  value: string;

  @ApiProperty({
    type: 'integer',
    example: 12,
    description:
      `Alerts in the window sharing it, exact up to ${TOTAL_CAP.toLocaleString('en')} ` +
      '(then `total_capped`)',
  })
  total: number;

  @ApiProperty({
    description: `true when more than ${TOTAL_CAP.toLocaleString('en')} share it (\`total\` is a lower bound)`,
  })
  total_capped: boolean;

  @ApiProperty({
    description: `true when \`alerts\` holds only the newest ${RELATED_CAP} of \`total\``,
  })
  capped: boolean;

  @ApiProperty({
    type: [AlertDto],
    description: `The newest ${RELATED_CAP} at most, newest first, as the list carries them`,
  })
  alerts: AlertDto[];
}

export class RelatedAlertsDto {
  @ApiProperty({ format: 'uuid' })
  alert_id: string;

  @ApiProperty({ format: 'date-time', description: "The window's start: `created_at` − 24 h" })
  since: string;

  @ApiProperty({ format: 'date-time', description: "The window's end: `created_at` + 24 h" })
  until: string;

  @ApiProperty({
    type: 'integer',
    example: RELATED_CAP,
    description: 'Alerts listed per group at most',
  })
  cap: number;

  @ApiProperty({
    type: [RelatedGroupDto],
    description:
      'One group per key the alert has, in the order src_ip, dst_ip, user (none for a null ' +
      'key; one group when both addresses are the same), each present even when empty. An alert ' +
      'sharing several keys is in each of their groups.',
  })
  groups: RelatedGroupDto[];

  static from({ anchor, groups }: RelatedAlerts): RelatedAlertsDto {
    return {
      alert_id: anchor.id,
      since: anchor.since,
      until: anchor.until,
      cap: RELATED_CAP,
      groups: groups.map(({ shared, value, page }) => ({
        shared,
        value,
        total: page.total,
        total_capped: page.totalCapped,
        capped: page.hasMore,
        alerts: page.rows.map((row) => AlertDto.fromRow(row)),
      })),
    };
  }
}
