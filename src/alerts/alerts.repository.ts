import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { fetchKeysetPage, type Page } from '../common/pagination/paginate.js';
import type { PageRequest } from '../common/pagination/page-request.js';
import type { SqlQuery } from '../common/pagination/sql-conditions.js';
import {
  alertByIdQuery,
  type AlertDetailRow,
  type AlertFilter,
  alertPageSpec,
  type AlertRow,
  withAssignee,
} from './alert-sql.js';

// Plain parameterised SQL through the pool: the list is the hottest read of the service, and
// TypeORM's entity layer costs more there than PostgreSQL does (see the field notes).
@Injectable()
export class AlertsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private run = <T>(query: SqlQuery): Promise<T[]> =>
    this.dataSource.query(query.sql, query.params);

  list(filter: AlertFilter, request: PageRequest): Promise<Page<AlertRow>> {
    return fetchKeysetPage<AlertRow & { keyset_at: string }>(
      this.run,
      alertPageSpec(filter, request),
      { query: withAssignee },
    );
  }

  async findById(id: string): Promise<AlertDetailRow | null> {
    const [row] = await this.run<AlertDetailRow>(alertByIdQuery(id));

    return row ?? null;
  }
}
