// The single description of how Vigil reaches its database, shared by the Nest app (through
// DatabaseModule) and the CLI (`npm run migration:run`, `npm run cli`): where it is (a server,
// or an embedded PGlite started for this process), the pool every statement runs on, and the
// migrations. TypeORM runs the migrations only (its CLI-grade runner and `migrations` table);
// everything else goes through Database (database.ts).
import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/database.config.js';
import { Database, type Queryable } from './database.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { MIGRATIONS } from './migrations/index.js';

/** TypeORM's options for the migration runner: no entities, one connection. */
export function migrationOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: 1, connectionTimeoutMillis: 5000, application_name: 'vigil-migrate' },
  };
}

/** Applies the pending migrations, each in its own transaction; the names applied. */
export async function runMigrations(url: string): Promise<string[]> {
  const migrator = await new DataSource(migrationOptions(url)).initialize();
  try {
    const applied = await migrator.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await migrator.destroy();
  }
}

/** The migrations this release has that the database has not applied (all when none ran). */
export async function pendingMigrations(db: Queryable): Promise<string[]> {
  const [{ exists }] = await db.query<{ exists: boolean }>(
    `SELECT to_regclass('migrations') IS NOT NULL AS exists`,
  );
  const applied = exists
    ? new Set((await db.query<{ name: string }>('SELECT name FROM migrations')).map((r) => r.name))
    : new Set<string>();
  return MIGRATIONS.map((m) => new m().name).filter((name) => !applied.has(name));
}

/**
 * The service's pool. Every connection runs with PostgreSQL's JIT compiler off: our statements
 * are short, and the planner's cost estimate is all JIT goes by. At 1M alerts the stats
 * statement (68 ms of execution) was estimated past the JIT thresholds and spent ~870 ms
 * compiling itself on every request (EXPLAIN ANALYZE: inlining 188, optimisation 391, emission
 * 275 ms).
 */
export function createPool(url: string, poolSize: number): pg.Pool {
  return new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5000,
    application_name: 'vigil',
    // A startup parameter, so the setting is in place before the first statement (a SET issued
    // from the pool's 'connect' event races that statement, which pg deprecates).
    options: '-c jit=off',
  });
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

/** For scripts: the database, its URL, and a function that closes it and any embedded server. */
export async function openDatabase(
  config: DatabaseConfig,
): Promise<{ db: Database; url: string; close: () => Promise<void> }> {
  const endpoint = await resolveDatabaseEndpoint(config);
  const db = new Database(createPool(endpoint.url, config.poolSize));
  return {
    db,
    url: endpoint.url,
    close: async () => {
      await db.end();
      await endpoint.embedded?.stop();
    },
  };
}
