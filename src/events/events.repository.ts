import { Injectable } from '@nestjs/common';
import { AlertStore, type EventAlert } from '../alerts/alert.store.js';
import { fetchKeysetPage, type Page } from '../common/pagination/paginate.js';
import type { PageRequest } from '../common/pagination/page-request.js';
import type { SqlQuery } from '../common/pagination/sql-conditions.js';
import { Database } from '../database/database.js';
import {
  eventByIdQuery,
  type EventFilter,
  eventPageSpec,
  type EventRow,
  insertEventPart,
  type NewEvent,
  type StoredEventRow,
  withAlertAndCreator,
} from './event-sql.js';

// Posting an event is a hot path: one statement and one round trip, the alert (written by the
// alert store) included.
@Injectable()
export class EventsRepository {
  constructor(
    private readonly db: Database,
    private readonly alerts: AlertStore,
  ) {}

  private run = <T extends object>(query: SqlQuery): Promise<T[]> =>
    this.db.query<T>(query.sql, query.params);

  /** The event and, when `alert` is given, its alert, atomically. */
  async insert(event: NewEvent, alert: EventAlert | null): Promise<StoredEventRow> {
    const [row] = await this.alerts.insertWithEvent<StoredEventRow>(
      this.db,
      insertEventPart(event),
      alert,
    );
    return row;
  }

  list(filter: EventFilter, request: PageRequest): Promise<Page<EventRow>> {
    return fetchKeysetPage<EventRow & { keyset_at: string }>(
      this.run,
      eventPageSpec(filter, request),
      { query: withAlertAndCreator },
    );
  }

  async findById(id: string): Promise<EventRow | null> {
    const [row] = await this.run<EventRow>(eventByIdQuery(id));
    return row ?? null;
  }
}
