// Carries a settings change made on one replica to every other within a moment: one connection
// per replica LISTENs on the settings channel, and SettingsRepository.set notifies it in the
// same statement that stores the value. A slow poll backs it up, so a notification missed while
// the connection was down (or a database that does not deliver them) costs seconds, not forever.
import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import pg from 'pg';
import { Database } from '../database/database.js';
import { SETTINGS_CHANNEL } from './settings.repository.js';
import { SyncSettingsService } from './sync-settings.service.js';

const POLL_MS = 5_000;
const RECONNECT_MS = 2_000;

@Injectable()
export class SettingsChangeListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SettingsChangeListener.name);
  private client: pg.Client | null = null;
  private poller: NodeJS.Timeout | null = null;
  private reconnect: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly settings: SyncSettingsService,
  ) {}

  /** Whether change notifications currently arrive (else only the poll carries changes). */
  get listening(): boolean {
    return this.client !== null;
  }

  onApplicationBootstrap(): void {
    this.poller = setInterval(() => void this.refresh(), POLL_MS).unref();
    void this.listen();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.poller) clearInterval(this.poller);
    if (this.reconnect) clearTimeout(this.reconnect);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = this.db.dedicatedClient('vigil-listen');
    client.on('notification', () => void this.refresh());
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection closed')));
    try {
      await client.connect();
      await client.query(`LISTEN ${SETTINGS_CHANNEL}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.client = client;
      // A change may have landed while we were not listening.
      await this.refresh();
    } catch (error) {
      this.lost(client, error);
    }
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.stopped || this.reconnect) return;
    if (this.client === client) this.client = null;
    this.logger.warn(
      { err: error },
      `Not listening for settings changes; polling every ${POLL_MS / 1000} s and reconnecting`,
    );
    void client.end().catch(() => undefined);
    this.reconnect = setTimeout(() => {
      this.reconnect = null;
      void this.listen();
    }, RECONNECT_MS).unref();
  }

  private async refresh(): Promise<void> {
    try {
      await this.settings.refresh();
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not re-read the settings');
    }
  }
}
