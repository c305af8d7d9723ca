// Only triggers: one sync at start-up, then one every sync_interval_seconds. The interval lives
// in the SchedulerRegistry and is replaced at once when PUT /api/config changes it. A second
// interval asks for a reconciliation every SYNC_RECONCILE_INTERVAL_SECONDS: the first replica to
// run one does, the others see it in the shared run history and skip; a tick that finds a sync
// running leaves the reconciliation to the next ordinary tick.
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
import { SyncMode, SyncRepository, SyncTrigger } from './sync.repository.js';
import { SyncService } from './sync.service.js';

const INTERVAL_NAME = 'ingestion-sync';
const RECONCILE_INTERVAL_NAME = 'ingestion-reconcile';
/** Replicas' timers drift apart: a reconciliation this much sooner than due still counts. */
const RECONCILE_SLACK = 0.9;

@Injectable()
export class SyncScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SyncScheduler.name);
  private intervalSeconds: number | null = null;
  private scheduledAt = 0;
  private skipped = 0;
  private circuitSkipped = 0;
  /** A reconciliation came due while a sync ran: the next ordinary tick reconciles instead. */
  private reconcilePending = false;

  constructor(
    private readonly sync: SyncService,
    private readonly runs: SyncRepository,
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
    const reconcileSeconds = this.config.reconcile.intervalSeconds;
    if (reconcileSeconds > 0) {
      this.registry.addInterval(
        RECONCILE_INTERVAL_NAME,
        setInterval(() => void this.reconcileTick(reconcileSeconds), reconcileSeconds * 1000),
      );
    }

    void this.trigger('startup');
  }

  /** Reconciles unless a replica did within the interval. */
  private async reconcileTick(intervalSeconds: number): Promise<void> {
    try {
      const last = await this.runs.lastReconcileStartedAt();
      if (last && Date.now() - last.getTime() < intervalSeconds * 1000 * RECONCILE_SLACK) return;
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not read when the last reconciliation ran');
      return;
    }
    this.reconcilePending = true;
    await this.trigger('schedule');
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
      const mode: SyncMode = this.reconcilePending ? 'reconcile' : 'incremental';
      await this.sync.start(trigger, mode);
      if (mode === 'reconcile') this.reconcilePending = false;
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
    for (const name of [INTERVAL_NAME, RECONCILE_INTERVAL_NAME]) {
      if (this.registry.doesExist('interval', name)) this.registry.deleteInterval(name);
    }
  }
}
