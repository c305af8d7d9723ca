// The per-client limit on every route (THROTTLE_LIMIT requests per THROTTLE_TTL_SECONDS per
// client address). Runs first among the global guards so floods are refused before any token is
// verified or any query runs.
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { throttleConfig } from '../../config/throttle.config.js';
import { type ThrottleRecord, ThrottlerStorage } from './throttler-storage.js';

import { RateLimitedError } from './rate-limited.error.js';

@Injectable()
export class ClientThrottleGuard implements CanActivate {
  private readonly ttlMs: number;

  constructor(
    private readonly storage: ThrottlerStorage,
    @Inject(throttleConfig.KEY) private readonly config: ConfigType<typeof throttleConfig>,
  ) {
    this.ttlMs = config.ttlSeconds * 1000;
  }

  // Every request passes here: with the in-process storage the answer stays synchronous (no
  // promise per request); with Redis it is awaited.
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const { ip } = context.switchToHttp().getRequest<FastifyRequest>();
    const record = this.storage.hit(`client:${ip}`, this.ttlMs, this.config.limit, 0);
    return record instanceof Promise ? record.then(allowed) : allowed(record);
  }
}

function allowed(record: ThrottleRecord): boolean {
  if (record.isBlocked) throw new RateLimitedError(record.timeToBlockExpire);
  return true;
}
