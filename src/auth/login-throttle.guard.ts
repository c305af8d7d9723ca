// Brute-force protection for POST /api/auth/token: attempts are counted per client address and
// per username (so neither many users from one address nor one user from many addresses gets
// unlimited guesses). A successful login clears its username's count.
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { RateLimitedError } from '../common/throttling/rate-limited.error.js';
import { ThrottlerStorage } from '../common/throttling/throttler-storage.js';
import { throttleConfig } from '../config/throttle.config.js';

@Injectable()
export class LoginThrottleGuard implements CanActivate {
  constructor(
    private readonly storage: ThrottlerStorage,
    @Inject(throttleConfig.KEY) private readonly config: ConfigType<typeof throttleConfig>,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const { perIp, perUsername, windowSeconds } = this.config.login;
    const windowMs = windowSeconds * 1000;
    const username = usernameOf(request.body);
    const results = await Promise.all([
      this.storage.hit(`login:ip:${request.ip}`, windowMs, perIp, windowMs),
      ...(username
        ? [
            this.storage.hit(
              LoginThrottleGuard.usernameKey(username),
              windowMs,
              perUsername,
              windowMs,
            ),
          ]
        : []),
    ]);
    const retryAfter = Math.max(...results.map((r) => (r.isBlocked ? r.timeToBlockExpire : 0)));
    if (retryAfter > 0) throw new RateLimitedError(retryAfter);
    return true;
  }

  async succeeded(username: string): Promise<void> {
    await this.storage.reset(LoginThrottleGuard.usernameKey(username));
  }

  private static usernameKey(username: string): string {
    return `login:user:${username.trim().toLowerCase()}`;
  }
}

function usernameOf(body: unknown): string | undefined {
  const username = (body as { username?: unknown } | null)?.username;
  return typeof username === 'string' && username.length > 0 ? username.slice(0, 64) : undefined;
}
