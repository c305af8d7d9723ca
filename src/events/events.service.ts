import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import type { Severity } from '../common/severity.js';
import type { Page } from '../common/pagination/paginate.js';
import { pageRequest, type PageRequest } from '../common/pagination/page-request.js';
import type { PageParams } from '../common/pagination/page-query.dto.js';
import { NotFoundError } from '../common/problem/domain-error.js';
import type { EventAlert } from '../alerts/alert.store.js';
import { EnrichmentService } from '../enrichment/enrichment.service.js';
import type { Principal } from '../users/principal.js';
import { EVENT_PAGING, type EventFilter, type EventRow, raisesAlert } from './event-sql.js';
import { EventsRepository } from './events.repository.js';

/** A validated event as posted. */
export interface EventInput {
  source: string;
  eventType: string;
  severity: Severity;
  description: string;
  /** ISO 8601; absent means now. */
  occurredAt?: string;
  srcIp?: string | null;
  dstIp?: string | null;
  attributes?: Record<string, unknown>;
}

export interface EventList {
  page: Page<EventRow>;
  request: PageRequest;
}

/**
 * The alert dedup key of an event's alert. Ids are unique, so is the key; the prefix keeps it
 * apart from the content fingerprints of upstream alerts (same unique index).
 */
export function eventAlertFingerprint(eventId: string): Buffer {
  return createHash('sha256').update(`event:${eventId}`).digest();
}

@Injectable()
export class EventsService {
  constructor(
    private readonly events: EventsRepository,
    private readonly enrichment: EnrichmentService,
  ) {}

  /**
   * Stores the event and, for high and critical ones, an open alert enriched like ingested
   * alerts, in one statement (the alert store writes the alert). The id is made here so the alert's fingerprint is known before the
   * insert; enrichment (one context query for the batch of one) runs only when an alert is due.
   */
  async create(input: EventInput, creator: Principal): Promise<EventRow> {
    const id = randomUUID();
    const srcIp = input.srcIp ?? null;
    const dstIp = input.dstIp ?? null;
    let alert: EventAlert | null = null;
    if (raisesAlert(input.severity)) {
      const [enriched] = await this.enrichment.enrich([{ source: input.source, srcIp, dstIp }]);
      alert = { fingerprint: eventAlertFingerprint(id), ...enriched };
    }
    const row = await this.events.insert(
      {
        id,
        source: input.source,
        eventType: input.eventType,
        severity: input.severity,
        description: input.description,
        occurredAt: input.occurredAt ?? null,
        srcIp,
        dstIp,
        attributes: input.attributes ?? {},
        createdBy: creator.id,
      },
      alert,
    );
    return { ...row, created_by_username: creator.username };
  }

  async list(filter: EventFilter, paging: PageParams): Promise<EventList> {
    const request = pageRequest(paging, EVENT_PAGING);
    return { page: await this.events.list(filter, request), request };
  }

  async get(id: string): Promise<EventRow> {
    const event = await this.events.findById(id);
    if (!event) throw new NotFoundError('Event', id);
    return event;
  }
}
