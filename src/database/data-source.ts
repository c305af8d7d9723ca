// The single description of how Vigil reaches its database, shared by the Nest app (through
// DatabaseModule) and the CLI (`npm run migration:run`, `npm run cli`).
import { DataSource, DataSourceOptions } from 'typeorm';
import { RefreshToken } from '../auth/refresh-token.entity.js';
import type { DatabaseConfig } from '../config/database.config.js';
import { User } from '../users/user.entity.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { MIGRATIONS } from './migrations/index.js';

export const ENTITIES = [User, RefreshToken];

export function dataSourceOptions(url: string, poolSize: number): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: poolSize, connectionTimeoutMillis: 5000, application_name: 'vigil' },
  };
}

/** Where the database is: the configured server, or an embedded PGlite started for this process. */
export interface DatabaseEndpoint {
  url: string;
  embedded?: EmbeddedPostgres;
}

export async function resolveDatabaseEndpoint(config: DatabaseConfig): Promise<DatabaseEndpoint> {
  if (config.url) return { url: config.url };
  const embedded = await EmbeddedPostgres.start({ dataDir: config.dataDir });
  return { url: embedded.url, embedded };
}

/** For scripts: an initialised DataSource plus a function that closes it and any embedded server. */
export async function openDataSource(
  config: DatabaseConfig,
): Promise<{ dataSource: DataSource; close: () => Promise<void> }> {
  const endpoint = await resolveDatabaseEndpoint(config);
  const dataSource = await new DataSource(
    dataSourceOptions(endpoint.url, config.poolSize),
  ).initialize();
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await endpoint.embedded?.stop();
    },
  };
}
