import { Inject, Injectable, Logger } from '@nestjs/common';

import type { ConfigType } from '@nestjs/config';
import { ingestionConfig } from '../config/ingestion.config.js';
import { SettingsRepository } from './settings.repository.js';

const SYNC_INTERVAL_KEY = 'sync_interval_seconds';

/**
 * The sync interval: the value stored by PUT /api/config, else SYNC_INTERVAL_SECONDS. A change
 * made on any replica reaches this one through `refresh()` (called on a database notification,
 * and by a slow poll in case a notification was missed); watchers hear each new value once.
 */
@Injectable()
export class SyncSettingsService {
  private readonly logger = new Logger(SyncSettingsService.name);
  private readonly watchers: Array<(seconds: number) => void> = [];
  private applied: number | undefined;

  constructor(
    private readonly settings: SettingsRepository,
    @Inject(ingestionConfig.KEY) private readonly config: ConfigType<typeof ingestionConfig>,
  ) {}

  async syncIntervalSeconds(): Promise<number> {
    const stored = await this.settings.get<number>(SYNC_INTERVAL_KEY);
    return typeof stored === 'number' ? stored : this.config.intervalSeconds;
  }

  /** Stores the interval and tells every replica (this one at once). */
  async setSyncIntervalSeconds(seconds: number): Promise<void> {
    await this.settings.set(SYNC_INTERVAL_KEY, seconds);
    this.apply(seconds);
  }

  /**
   * The current interval; `watcher` hears every later change. When the settings cannot be read
   * yet (database down, or not migrated: readiness says so), the configured interval stands in
   * until `refresh()` reads the stored one.
   */
  async watchSyncInterval(watcher: (seconds: number) => void): Promise<number> {
    this.watchers.push(watcher);
    let seconds = this.config.intervalSeconds;
    try {
      seconds = await this.syncIntervalSeconds();
    } catch (error) {
      this.logger.warn(
        { err: error },
        'Cannot read the stored sync interval yet; using the configured one',
      );
    }
    this.applied ??= seconds;
    return this.applied;
  }

  /** Re-reads the stored value and tells the watchers if it changed. */
  async refresh(): Promise<void> {
    this.apply(await this.syncIntervalSeconds());
  }

  private apply(seconds: number): void {
    if (seconds === this.applied) return;
    this.applied = seconds;
    for (const watcher of this.watchers) watcher(seconds);
  }
}
