// The embedded database: PGlite (PostgreSQL compiled to WASM) served over the PostgreSQL wire
// protocol on a loopback port, so the ordinary `pg` driver and TypeORM talk to it like a server.
// A lock file keeps two processes from opening one data directory (PGlite would corrupt it).
import { PGlite } from '@electric-sql/pglite';
import { Logger } from '@nestjs/common';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGliteWireServer } from './pglite-wire-server.js';

const LOCK_FILE = 'pg.lock';

export class DataDirectoryInUseError extends Error {
  override readonly name = 'DataDirectoryInUseError';
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockHolder(lockFile: string): number | undefined {
  if (!existsSync(lockFile)) return undefined;
  const holder = Number(readFileSync(lockFile, 'utf8'));
  return Number.isInteger(holder) && holder !== process.pid && processAlive(holder)
    ? holder
    : undefined;
}

function inUse(dataDir: string, holder: number): DataDirectoryInUseError {
  return new DataDirectoryInUseError(
    `The embedded database in ${dataDir} is in use by process ${holder}`,
  );
}

/** Fails fast, before the app is built, when another live process holds `dataDir`. */
export function assertDataDirectoryFree(dataDir: string): void {
  const holder = lockHolder(join(dataDir, LOCK_FILE));
  if (holder) throw inUse(dataDir, holder);
}

function acquireLock(dataDir: string, lockFile: string): void {
  try {
    writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = lockHolder(lockFile);
  if (holder) throw inUse(dataDir, holder);
  writeFileSync(lockFile, String(process.pid)); // stale lock from a process that died
}

export class EmbeddedPostgres {
  private static readonly logger = new Logger(EmbeddedPostgres.name);

  private constructor(
    private readonly db: PGlite,
    private readonly server: PGliteWireServer,
    private readonly lockFile: string,
    readonly url: string,
  ) {}

  /** `dataDir` undefined: an in-memory database (throwaway tests). */
  static async start(options: { dataDir?: string }): Promise<EmbeddedPostgres> {
    const started = Date.now();
    let lockFile = '';
    if (options.dataDir) {
      mkdirSync(join(options.dataDir, 'pg'), { recursive: true });
      lockFile = join(options.dataDir, LOCK_FILE);
      acquireLock(options.dataDir, lockFile);
    }
    try {
      const db = await PGlite.create(options.dataDir ? join(options.dataDir, 'pg') : undefined);
      const server = new PGliteWireServer(db);
      const { host, port } = await server.listen(0, '127.0.0.1');
      const url = `postgres://postgres@${host}:${port}/postgres`;
      EmbeddedPostgres.logger.log(
        `Embedded PostgreSQL (PGlite) ready in ${Date.now() - started} ms at ${options.dataDir ?? 'memory'}`,
      );
      return new EmbeddedPostgres(db, server, lockFile, url);
    } catch (error) {
      if (lockFile) rmSync(lockFile, { force: true });
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.server.close();
    await this.db.close();
    if (this.lockFile) rmSync(this.lockFile, { force: true });
  }
}
