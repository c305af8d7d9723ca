import { Injectable } from '@nestjs/common';
import type { LiveRenderer, RenderedResource } from '../live/live-renderer.js';
import { IncidentDto } from './dto/incident.dto.js';
import { IncidentStore } from './incident.store.js';

/** Incidents' events carry the incident as GET /api/incidents/{id} serves it, without its ids. */
@Injectable()
export class IncidentLiveRenderer implements LiveRenderer {
  readonly types = ['incident.created', 'incident.changed'] as const;

  constructor(private readonly store: IncidentStore) {}

  async render(ids: readonly string[]): Promise<RenderedResource[]> {
    const rows = new Map((await this.store.findMany(ids)).map((row) => [row.id, row]));
    return ids.flatMap((id) => {
      const row = rows.get(id);
      return row ? [{ id, json: JSON.stringify(IncidentDto.fromRow(row)) }] : [];
    });
  }
}
