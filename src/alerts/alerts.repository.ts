import { Injectable } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
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

// Plain parameterised SQL straight on the pg pool: the list is the hottest read of the service,
// and TypeORM's entity layer (even DataSource.query, which builds a query runner per call) costs
// more there than PostgreSQL does (see the field notes and `npm run bench -- api`).
@Injectable()
export class AlertsRepository {
  private readonly pool: pg.Pool;

  constructor(dataSource: DataSource) {
    this.pool = (dataSource.driver as PostgresDriver).master as pg.Pool;
  }

  private run = async <T>(query: SqlQuery): Promise<T[]> =>
    (await this.pool.query(query.sql, query.params)).rows as T[];

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
