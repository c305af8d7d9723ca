import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { fetchKeysetPage, type Page } from '../common/pagination/paginate.js';
import type { PageRequest } from '../common/pagination/page-request.js';
import type { SqlQuery } from '../common/pagination/sql-conditions.js';
import {
  eventByIdQuery,
  type EventFilter,
  eventPageSpec,
  type EventRow,
  insertEventQuery,
  type NewEvent,
  type NewEventAlert,
  type StoredEventRow,
  withAlertAndCreator,
} from './event-sql.js';

// Plain parameterised SQL through the pool, like AlertsRepository: posting an event is a hot
// path, one statement and one round trip.
@Injectable()
export class EventsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private run = <T>(query: SqlQuery): Promise<T[]> =>
    this.dataSource.query(query.sql, query.params);

  /** The event and, when `alert` is given, its alert, atomically. */
  async insert(event: NewEvent, alert: NewEventAlert | null): Promise<StoredEventRow> {
    const [row] = await this.run<StoredEventRow>(insertEventQuery(event, alert));
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
