// Only triggers: one sync at start-up, then one every sync_interval_seconds. The interval lives
// in the SchedulerRegistry and is replaced at once when PUT /api/config changes it.
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ingestionConfig } from '../config/ingestion.config.js';
import { SyncAlreadyRunningError } from './sync-already-running.error.js';
import { SyncCircuitService } from './sync-circuit.service.js';

import { SyncSettingsService } from './sync-settings.service.js';
import { SyncTrigger } from './sync.repository.js';
import { SyncService } from './sync.service.js';

const INTERVAL_NAME = 'ingestion-sync';

@Injectable()
export class SyncScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SyncScheduler.name);
  private intervalSeconds: number | null = null;
  private scheduledAt = 0;
  private skipped = 0;
  private circuitSkipped = 0;

  constructor(
    private readonly sync: SyncService,
    private readonly settings: SyncSettingsService,
    private readonly circuit: SyncCircuitService,
    private readonly registry: SchedulerRegistry,
    @Inject(ingestionConfig.KEY) private readonly config: ConfigType<typeof ingestionConfig>,
  ) {}

  /** Seconds between scheduled syncs, or null when scheduling is off. */
  get currentIntervalSeconds(): number | null {
    return this.intervalSeconds;
  }

  /** Ticks (start-up or scheduled) that found a sync already running, since this process started. */
  get skippedTicks(): number {
    return this.skipped;
  }

  /** Ticks this process skipped because the circuit was open. */
  get circuitSkippedTicks(): number {
    return this.circuitSkipped;
  }

  /** When the next scheduled tick fires, or null when scheduling is off. */
  get nextSyncAt(): Date | null {
    if (this.intervalSeconds === null) return null;
    const period = this.intervalSeconds * 1000;
    const elapsed = (Date.now() - this.scheduledAt) % period;
    return new Date(Date.now() + period - elapsed);
  }

  async onApplicationBootstrap(): Promise<void> {
    const seconds = await this.settings.watchSyncInterval((changed) => this.schedule(changed));
    if (!this.config.enabled) {
      this.logger.log('SYNC_ENABLED=false: no scheduled syncs');
      return;
    }
    this.schedule(seconds);

    void this.trigger('startup');
  }

  schedule(seconds: number): void {
    if (!this.config.enabled) return;
    if (this.registry.doesExist('interval', INTERVAL_NAME))
      this.registry.deleteInterval(INTERVAL_NAME);
    this.registry.addInterval(
      INTERVAL_NAME,
      setInterval(() => void this.trigger('schedule'), seconds * 1000),
    );
    this.intervalSeconds = seconds;
    this.scheduledAt = Date.now();
    this.logger.log(`Syncing every ${seconds} s`);
  }

  /** Start-up and scheduled ticks; skipped while the circuit is open (POST /api/sync is not). */
  private async trigger(trigger: SyncTrigger): Promise<void> {
    try {
      const circuit = await this.circuit.current();
      if (circuit.state === 'open') {
        this.circuitSkipped += 1;
        this.logger.warn(
          `Skipped a ${trigger} sync: ${circuit.consecutiveFailures} consecutive syncs failed; ` +
            `the next try is at ${circuit.retryAt!.toISOString()}`,
        );
        return;
      }
      await this.sync.start(trigger);
    } catch (error) {
      if (error instanceof SyncAlreadyRunningError) {
        this.skipped += 1;
        this.logger.log(`Skipped a ${trigger} sync: one is already running`);
      } else {
        this.logger.error({ err: error }, `Could not start a ${trigger} sync`);
      }
    }
  }

  beforeApplicationShutdown(): void {
    if (this.registry.doesExist('interval', INTERVAL_NAME))
      this.registry.deleteInterval(INTERVAL_NAME);
  }
}
