import { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { ALERT_PAGING } from '../alert-sql.js';
import { AlertFilterDto } from './alert-filter.dto.js';

/** `GET /api/alerts`: every filter optional, all combined with AND, plus the paging. */
export class ListAlertsQueryDto extends PageQueryDto(ALERT_PAGING, AlertFilterDto) {}
