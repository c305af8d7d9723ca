import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseConfig } from '../config/database.config.js';
import {
  createPool,
  type DatabaseEndpoint,
  resolveDatabaseEndpoint,
  runMigrations,
} from './data-source.js';
import { Database, Transactions } from './database.js';

const DATABASE_ENDPOINT = Symbol('DATABASE_ENDPOINT');

/** Connection attempts at start-up before the service gives up (a database starting alongside). */
const CONNECT_ATTEMPTS = 3;
const CONNECT_RETRY_MS = 1000;

const logger = new Logger('Database');

async function openPool(endpoint: DatabaseEndpoint, poolSize: number): Promise<Database> {
  const pool = createPool(endpoint.url, poolSize);
  // An idle connection the server drops is reported here; the pool replaces it on next use.
  pool.on('error', (error) => logger.warn({ err: error }, 'An idle database connection failed'));
  const db = new Database(pool);
  for (let attempt = 1; ; attempt++) {
    try {
      await db.query('SELECT 1');
      return db;
    } catch (error) {
      if (attempt >= CONNECT_ATTEMPTS) {
        await db.end().catch(() => undefined);
        throw error;
      }
      logger.warn(
        { err: error },
        `Could not reach the database (attempt ${attempt} of ${CONNECT_ATTEMPTS}); retrying`,
      );
      await sleep(CONNECT_RETRY_MS);
    }
  }
}

@Global()
@Module({
  providers: [
    {
      provide: DATABASE_ENDPOINT,
      inject: [databaseConfig.KEY],
      useFactory: (config: ConfigType<typeof databaseConfig>) => resolveDatabaseEndpoint(config),
    },
    {
      provide: Database,
      inject: [DATABASE_ENDPOINT, databaseConfig.KEY],
      useFactory: async (
        endpoint: DatabaseEndpoint,
        config: ConfigType<typeof databaseConfig>,
      ): Promise<Database> => {
        const db = await openPool(endpoint, config.poolSize);
        if (config.runMigrations) {
          const applied = await runMigrations(endpoint.url);
          if (applied.length > 0) logger.log(`Applied migrations: ${applied.join(', ')}`);
        }
        return db;
      },
    },
    Transactions,
  ],
  exports: [Database, Transactions],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    private readonly db: Database,
    @Inject(DATABASE_ENDPOINT) private readonly endpoint: DatabaseEndpoint,
  ) {}

  // The last thing to close: every other module's shutdown may still write (a sync recording
  // its end), and the embedded server goes after the pool.
  async onApplicationShutdown(): Promise<void> {
    await this.db.end();
    await this.endpoint.embedded?.stop();
  }
}
