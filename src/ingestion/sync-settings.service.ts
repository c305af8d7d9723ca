import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ingestionConfig } from '../config/ingestion.config.js';
import { SettingsRepository } from './settings.repository.js';

const SYNC_INTERVAL_KEY = 'sync_interval_seconds';

/** The sync interval: the value stored by PUT /api/config, else SYNC_INTERVAL_SECONDS. */
@Injectable()
export class SyncSettingsService {
  private readonly listeners: Array<(seconds: number) => void> = [];

  constructor(
    private readonly settings: SettingsRepository,
    @Inject(ingestionConfig.KEY) private readonly config: ConfigType<typeof ingestionConfig>,
  ) {}

  async syncIntervalSeconds(): Promise<number> {
    const stored = await this.settings.get<number>(SYNC_INTERVAL_KEY);
    return typeof stored === 'number' ? stored : this.config.intervalSeconds;
  }

  async setSyncIntervalSeconds(seconds: number): Promise<void> {
    await this.settings.set(SYNC_INTERVAL_KEY, seconds);
    for (const listener of this.listeners) listener(seconds);
  }

  onSyncIntervalChange(listener: (seconds: number) => void): void {
    this.listeners.push(listener);
  }
}
