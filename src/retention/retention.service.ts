// RETENTION_DAYS (off by default): once at start-up and then every hour, deletes what is older
// than that, in batches, from whichever replica gets the purge lock. Alerts go by `created_at`
// (event time), with their history; events by `occurred_at`; quarantine records by
// `received_at`; finished sync runs by `finished_at`.
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AlertStore } from '../alerts/alert.store.js';
import { ingestionConfig } from '../config/ingestion.config.js';
import { Transactions } from '../database/database.js';
import { type PurgeCounts, RetentionRepository } from './retention.repository.js';

const INTERVAL_NAME = 'retention-purge';
const EVERY_MS = 3_600_000;
const BATCH = 5_000;

@Injectable()
export class RetentionService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RetentionService.name);
  private running: Promise<PurgeCounts | null> | null = null;
  private stopping = false;

  constructor(
    private readonly repository: RetentionRepository,
    private readonly alerts: AlertStore,
    private readonly transactions: Transactions,
    private readonly registry: SchedulerRegistry,
    @Inject(ingestionConfig.KEY) private readonly config: ConfigType<typeof ingestionConfig>,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.retentionDays === null) return;
    this.registry.addInterval(
      INTERVAL_NAME,
      setInterval(() => void this.purge(), EVERY_MS),
    );
    void this.purge();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.registry.doesExist('interval', INTERVAL_NAME))
      this.registry.deleteInterval(INTERVAL_NAME);
    await this.running?.catch(() => undefined);
  }

  /** Purges batch after batch until nothing old is left; null when another replica purges. */
  purge(): Promise<PurgeCounts | null> {
    this.running ??= this.purgeAll().finally(() => (this.running = null));
    return this.running;
  }

  /**
   * One batch, in one short transaction under the purge lock: up to BATCH alerts (their history
   * goes with them), then as many events, quarantine records and finished sync runs. Null when
   * another replica holds the lock.
   */
  private purgeBatch(days: number): Promise<PurgeCounts | null> {
    return this.transactions.run(async (tx) => {
      if (!(await this.repository.tryLock(tx))) return null;
      const alerts = await this.alerts.purgeOlderThan(tx, days, BATCH);
      return { alerts, ...(await this.repository.purgeOlderThan(tx, days, BATCH)) };
    });
  }

  private async purgeAll(): Promise<PurgeCounts | null> {
    const days = this.config.retentionDays;
    if (days === null) return null;
    const total: PurgeCounts = { alerts: 0, events: 0, quarantine: 0, syncRuns: 0 };
    try {
      while (!this.stopping) {
        const batch = await this.purgeBatch(days);
        if (!batch) return null;
        for (const key of Object.keys(total) as Array<keyof PurgeCounts>) total[key] += batch[key];
        if (Object.values(batch).every((n) => n < BATCH)) break;
      }
      if (Object.values(total).some((n) => n > 0))
        this.logger.log({ ...total, retentionDays: days }, 'Purged data past its retention');
      return total;
    } catch (error) {
      this.logger.error({ err: error }, 'Retention purge failed; the next hour tries again');
      return null;
    }
  }
}
