import { Logger } from '@nestjs/common';
import { registerAs } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { parseDurationSeconds } from './duration.js';
import { processEnvironment } from './environment.js';

// Outside production a missing JWT_SECRET gets a per-process random one (tokens end with the
// process); production refuses to start without it (see readEnvironment).
let ephemeralSecret: string | undefined;
function ephemeral(): string {
  if (!ephemeralSecret) {
    ephemeralSecret = randomBytes(48).toString('base64url');
    new Logger('AuthConfig').warn('JWT_SECRET is not set: using a random per-process secret');
  }
  return ephemeralSecret;
}

export const authConfig = registerAs('auth', () => {
  const env = processEnvironment();
  return {
    jwtSecret: env.JWT_SECRET ?? ephemeral(),
    accessTtlSeconds: parseDurationSeconds(env.JWT_ACCESS_TTL)!,
    refreshTtlSeconds: parseDurationSeconds(env.JWT_REFRESH_TTL)!,
    userCacheMs: env.AUTH_USER_CACHE_MS,
    bootstrapAdmin:
      env.ADMIN_USERNAME && env.ADMIN_PASSWORD
        ? { username: env.ADMIN_USERNAME, password: env.ADMIN_PASSWORD }
        : undefined,
    demoUsers: env.VIGIL_DEMO,
  };
});
export type AuthConfig = ReturnType<typeof authConfig>;
