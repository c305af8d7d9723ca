// The per-client limit on every route: @nestjs/throttler's guard, with the house's answers where
// its defaults differ. Registered first among the global guards (app.module.ts) so floods are
// refused before any token is verified or any query runs; LoginThrottleGuard extends it.
import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { RateLimitedError } from './rate-limited.error.js';

@Injectable()
export class ClientThrottleGuard extends ThrottlerGuard {
  /** The storage key of a throttler's count for one tracker (e.g. "login:user:alice"). */
  static keyOf(throttler: string, tracker: string): string {
    return `${throttler}:${tracker}`;
  }

  // One count per client across all routes, and readable keys. The library's default hashes the
  // controller and handler names into the key (a separate count per route) with a sha256 on
  // every request.
  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    throttler: string,
  ): string {
    return ClientThrottleGuard.keyOf(throttler, tracker);
  }

  // The problem filter answers it: 429 application/problem+json with Retry-After.
  protected override throwThrottlingException(
    _context: ExecutionContext,
    { timeToBlockExpire }: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new RateLimitedError(timeToBlockExpire);
  }
}
