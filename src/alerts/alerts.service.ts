import { Injectable } from '@nestjs/common';
import type { Page } from '../common/pagination/paginate.js';
import { pageRequest, type PageRequest } from '../common/pagination/page-request.js';
import type { PageParams } from '../common/pagination/page-query.dto.js';
import { NotFoundError } from '../common/problem/domain-error.js';
import {
  ALERT_PAGING,
  type AlertDetailRow,
  type AlertFilter,
  type AlertListOptions,
  type AlertRow,
} from './alert-sql.js';
import type { AlertStats } from './alert-stats-sql.js';
import { AlertStore } from './alert.store.js';

export interface AlertList {
  page: Page<AlertRow>;
  request: PageRequest;
}

@Injectable()
export class AlertsService {
  constructor(private readonly alerts: AlertStore) {}

  async list(
    filter: AlertFilter,
    paging: PageParams,
    options: AlertListOptions = {},
  ): Promise<AlertList> {
    const request = pageRequest(paging, ALERT_PAGING);
    return { page: await this.alerts.list(filter, request, options), request };
  }

  async get(id: string): Promise<AlertDetailRow> {
    const alert = await this.alerts.findById(id);
    if (!alert) throw new NotFoundError('Alert', id);
    return alert;
  }

  /** Counts, timeline and response times of the last `hours` hours. */
  stats(hours: number): Promise<AlertStats> {
    return this.alerts.stats(hours);
  }
}
