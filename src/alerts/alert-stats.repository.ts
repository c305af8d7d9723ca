import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  type AlertStats,
  alertStatsFromRow,
  alertStatsQuery,
  type AlertStatsRow,
} from './alert-stats-sql.js';

@Injectable()
export class AlertStatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The alerts created in the last `hours` hours of the database clock, counted and timed. */
  async stats(hours: number): Promise<AlertStats> {
    const { sql, params } = alertStatsQuery(hours);
    const [row] = await this.dataSource.query<AlertStatsRow[]>(sql, params);
    return alertStatsFromRow(hours, row);
  }
}
