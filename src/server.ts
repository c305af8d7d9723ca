import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory.js';
import { ConfigurationError, readEnvironment } from './config/environment.js';

/** Validates configuration (one line and exit 1 when bad), then builds and starts the app. */
export async function run(): Promise<NestFastifyApplication | undefined> {
  let env;
  try {
    env = readEnvironment();
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
    return undefined;
  }
  const app = await createApp();
  await app.listen({ port: env.PORT, host: env.HOST });
  return app;
}
