import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory.js';
import { ConfigurationError, processEnvironment } from './config/environment.js';
import { resolve } from 'node:path';
import { assertDataDirectoryFree, DataDirectoryInUseError } from './database/embedded-postgres.js';

/** Failures an operator fixes from the message alone: one line on stderr, exit 1, no stack. */
const OPERATOR_ERRORS = [ConfigurationError, DataDirectoryInUseError];

/**
 * Validates configuration, then builds and starts the app. `beforeStart` runs once the
 * configuration is known to be good (the demo starts its mock upstream there); what it throws as
 * a ConfigurationError is reported like the service's own.
 */
export async function run(
  beforeStart?: () => Promise<void>,
): Promise<NestFastifyApplication | undefined> {
  try {
    const env = processEnvironment();
    if (!env.DATABASE_URL) assertDataDirectoryFree(resolve(env.DATA_DIR));
    await beforeStart?.();
    const app = await createApp();
    await app.listen({ port: env.PORT, host: env.HOST });
    return app;
  } catch (error) {
    if (!OPERATOR_ERRORS.some((type) => error instanceof type)) throw error;
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
    return undefined;
  }
}
