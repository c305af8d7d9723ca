// Brute-force protection for POST /api/auth/token: attempts are counted per client address and
// per username (so neither many users from one address nor one user from many addresses gets
// unlimited guesses). A successful login clears its username's count.
//
// The library's guard with two named throttlers of its own, on this one route (@UseGuards): the
// global guard's list stays one throttler long, so no other request pays for checking login
// limits. Same storage (the library's token), so the counts are shared through Redis too.
import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerStorage, seconds, type ThrottlerModuleOptions } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { ClientThrottleGuard } from '../common/throttling/client-throttle.guard.js';
import type { ResettableThrottlerStorage } from '../common/throttling/resettable-throttler-storage.js';
import { throttleConfig, type ThrottleConfig } from '../config/throttle.config.js';

const PER_IP = 'login:ip';
const PER_USERNAME = 'login:user';

@Injectable()
export class LoginThrottleGuard extends ClientThrottleGuard {
  // Every parameter names its token: Nest reads ThrottlerGuard's parameter tokens (options,
  // storage) through the prototype chain, and an undecorated `reflector` here would be handed the
  // storage.
  constructor(
    // ThrottlingModule puts one of our storages behind the token: they can forget a key.
    @InjectThrottlerStorage() private readonly storage: ResettableThrottlerStorage,
    @Inject(Reflector) reflector: Reflector,
    @Inject(throttleConfig.KEY) config: ConfigType<typeof throttleConfig>,
  ) {
    super(loginThrottlers(config), storage, reflector);
  }

  async succeeded(username: string): Promise<void> {
    await this.storage.reset(ClientThrottleGuard.keyOf(PER_USERNAME, usernameTracker(username)));
  }
}

function loginThrottlers({ login }: ThrottleConfig): ThrottlerModuleOptions {
  const window = seconds(login.windowSeconds);
  return {
    setHeaders: false, // as the global guard: Retry-After on a refusal only
    throttlers: [
      // The library's tracker: the client address.
      { name: PER_IP, limit: login.perIp, ttl: window, blockDuration: window },
      {
        name: PER_USERNAME,
        limit: login.perUsername,
        ttl: window,
        blockDuration: window,
        // A body without a username is counted per address only (validation then refuses it).
        skipIf: (context) => usernameOf(bodyOf(context)) === undefined,
        getTracker: (request) =>
          usernameTracker(usernameOf((request as FastifyRequest).body) ?? ''),
      },
    ],
  };
}

function bodyOf(context: ExecutionContext): unknown {
  return context.switchToHttp().getRequest<FastifyRequest>().body;
}

/** The username a login body names (the guard runs before validation). */
function usernameOf(body: unknown): string | undefined {
  const username = (body as { username?: unknown } | null)?.username;
  return typeof username === 'string' && username.length > 0 ? username.slice(0, 64) : undefined;
}

/** However it is cased or padded, one user is one count. */
function usernameTracker(username: string): string {
  return username.trim().toLowerCase();
}
