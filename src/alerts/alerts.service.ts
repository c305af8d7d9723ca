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
import { type RelatedAnchor, type RelatedKey, relatedKeys } from './related-sql.js';

export interface AlertList {
  page: Page<AlertRow>;
  request: PageRequest;
}

export interface RelatedAlerts {
  anchor: RelatedAnchor;
  groups: Array<{ shared: RelatedKey; value: string; page: Page<AlertRow> }>;
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

  /**
   * The alerts sharing an address or the user with alert `id` within RELATED_WINDOW_HOURS of it,
   * one group per key the alert has (each capped at RELATED_CAP alerts, with the total).
   */
  async related(id: string): Promise<RelatedAlerts> {
    const anchor = await this.alerts.relatedAnchor(id);
    if (!anchor) throw new NotFoundError('Alert', id);
    const groups = await Promise.all(
      relatedKeys(anchor).map(async (key) => ({
        ...key,
        page: await this.alerts.related(anchor, key),
      })),
    );
    return { anchor, groups };
  }

  /** Counts, timeline and response times of the last `hours` hours. */
  stats(hours: number): Promise<AlertStats> {
    return this.alerts.stats(hours);
  }
}
