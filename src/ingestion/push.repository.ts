// The SQL of a push (POST /api/ingest/alerts): its new alerts, through the alert store, and its
// bad records, in the sync's quarantine, in one statement.
import { Injectable } from '@nestjs/common';
import { AlertStore, type StoredAlert } from '../alerts/alert.store.js';
import { Database } from '../database/database.js';
import { quarantinedCte } from './quarantine-sql.js';

export interface PushCommit {
  /** The alerts stored, with their ids (a duplicate, found by its key, is not among them). */
  stored: StoredAlert[];
  /** Quarantine rows newly stored (a bad record already kept is not stored twice). */
  quarantined: number;
}

/** A push's quarantine rows ($2); a push is no sync run. */
const PUSH_QUARANTINED = quarantinedCte('$2', 'NULL::uuid');

@Injectable()
export class PushRepository {
  constructor(
    private readonly db: Database,
    private readonly alerts: AlertStore,
  ) {}

  /**
   * A push's alerts (encodeAlerts) and quarantine rows (encodeQuarantine), atomically and in one
   * statement (a statement is its own transaction).
   */
  commit(alerts: Buffer, quarantine: string): Promise<PushCommit> {
    return this.alerts.insertPushed<{ quarantined: number }>(this.db, alerts, {
      ctes: PUSH_QUARANTINED,
      final: '(SELECT count(*)::int FROM quarantined) AS quarantined',
      params: [quarantine],
    });
  }
}
