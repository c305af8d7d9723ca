// Graceful shutdown, as an orchestrator expects it: the moment SIGTERM arrives readiness says
// 503 (the flag flips in the signal handler itself, before any shutdown hook has run), then an
// optional drain delay keeps serving while load balancers notice, then Nest closes the listener
// (in-flight requests finish), the sync stops after its current page and connections close. A
// timer bounds the whole of it.
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { setTimeout as sleep } from 'node:timers/promises';
import { appConfig } from '../../config/app.config.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

@Injectable()
export class ShutdownService implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(ShutdownService.name);
  private began = false;

  constructor(@Inject(appConfig.KEY) private readonly config: ConfigType<typeof appConfig>) {}

  /** True from the first shutdown signal on: readiness answers 503. */
  get draining(): boolean {
    return this.began;
  }

  onModuleInit(): void {
    for (const signal of SIGNALS) process.once(signal, this.begin);
  }

  /** Also reached when the app is closed without a signal. */
  onModuleDestroy(): void {
    this.begin();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.config.shutdownDrainMs > 0) await sleep(this.config.shutdownDrainMs);
  }

  private readonly begin = (signal?: string): void => {
    if (this.began) return;
    this.began = true;
    for (const s of SIGNALS) process.removeListener(s, this.begin);
    this.logger.log(
      { signal, drainMs: this.config.shutdownDrainMs, graceMs: this.config.shutdownGraceMs },
      'Shutting down: not ready any more',
    );
    setTimeout(() => {
      this.logger.error(
        { graceMs: this.config.shutdownGraceMs },
        'Shutdown did not finish within the grace period; exiting',
      );
      process.exit(1);
    }, this.config.shutdownGraceMs).unref();
  };
}
