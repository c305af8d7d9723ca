// Operator commands that work without the HTTP service running:
//   migrate                                     apply pending migrations (npm run migration:run)
//   create-user <name> --group <g> [--group <g>] [--password-stdin]
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { parseArgs } from 'node:util';
import { ConfigurationError } from '../config/environment.js';
import { databaseConfig } from '../config/database.config.js';
import { openDatabase, runMigrations } from '../database/data-source.js';
import { createUser } from './create-user.command.js';

const USAGE = `Usage:
  npm run migration:run
  npm run cli -- create-user <username> --group admin|analyst [--group ...] [--password-stdin]`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'migrate' && command !== 'create-user') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const { db, url, close } = await openDatabase(databaseConfig());
  try {
    if (command === 'migrate') {
      const applied = await runMigrations(url);
      process.stdout.write(
        applied.length ? `Applied ${applied.join(', ')}\n` : 'No pending migrations\n',
      );
      return 0;
    }
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { group: { type: 'string', multiple: true }, 'password-stdin': { type: 'boolean' } },
    });
    return await createUser(db, positionals, values.group ?? [], values['password-stdin'] ?? false);
  } finally {
    await close();
  }
}

Logger.overrideLogger(['error', 'warn']);
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof ConfigurationError ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
