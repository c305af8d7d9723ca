import { Injectable } from '@nestjs/common';
import { AlertStore } from '../alerts/alert.store.js';
import type { LiveRenderer, RenderedResource } from './live-renderer.js';

/** Alerts' events carry the alert as GET /api/alerts/{id} serves it, rendered by PostgreSQL. */
@Injectable()
export class AlertLiveRenderer implements LiveRenderer {
  readonly types = ['alert.created', 'alert.changed'] as const;

  constructor(private readonly alerts: AlertStore) {}

  render(ids: readonly string[]): Promise<RenderedResource[]> {
    return this.alerts.detailJsonRows(ids);
  }
}
