import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';

/** PostgreSQL notification channel: the payload is the key of a setting that changed. */
export const SETTINGS_CHANNEL = 'vigil_settings';

/** Runtime settings changed through the API (app_settings), shared by every replica. */
@Injectable()
export class SettingsRepository {
  constructor(private readonly db: Database) {}

  async get<T>(key: string): Promise<T | undefined> {
    const rows = await this.db.query<{ value: T }>(
      'SELECT value FROM app_settings WHERE key = $1',
      [key],
    );
    return rows[0]?.value;
  }

  /** Stores the value and notifies every listening replica (delivered when it commits). */
  async set(key: string, value: unknown): Promise<void> {
    await this.db.query(
      `WITH stored AS (
         INSERT INTO app_settings (key, value) VALUES ($1, $2::jsonb)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
         RETURNING key
       )
       SELECT pg_notify($3, key) FROM stored`,
      [key, JSON.stringify(value), SETTINGS_CHANNEL],
    );
  }
}
