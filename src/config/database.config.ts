import { registerAs } from '@nestjs/config';
import { resolve } from 'node:path';
import { processEnvironment } from './environment.js';

export const databaseConfig = registerAs('database', () => {
  const env = processEnvironment();
  return {
    /** Unset: the service serves an embedded PGlite from `dataDir` to itself. */
    url: env.DATABASE_URL,
    dataDir: resolve(env.DATA_DIR),
    poolSize: env.DB_POOL_SIZE,
    runMigrations: env.RUN_MIGRATIONS || env.VIGIL_DEMO,
  };
});
export type DatabaseConfig = ReturnType<typeof databaseConfig>;
