import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ingestionConfig } from '../config/ingestion.config.js';
import { type Circuit, circuitOf } from './sync-circuit.js';
import { SyncRepository } from './sync.repository.js';

/** The scheduled syncs' circuit, read from the run history every replica shares. */
@Injectable()
export class SyncCircuitService {
  constructor(
    private readonly runs: SyncRepository,
    @Inject(ingestionConfig.KEY) private readonly config: ConfigType<typeof ingestionConfig>,
  ) {}

  async current(now = new Date()): Promise<Circuit> {
    return circuitOf(await this.runs.failureStreak(), this.config.circuit, now);
  }
}
