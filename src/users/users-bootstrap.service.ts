// Makes sure someone can sign in: the first admin from ADMIN_USERNAME/ADMIN_PASSWORD when the
// database has no user, and in demo mode an `admin` and an `analyst` whose generated passwords are
// kept (mode 0600) in the data directory so every demo start can print them.
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { authConfig } from '../config/auth.config.js';
import { databaseConfig } from '../config/database.config.js';
import { pendingMigrations } from '../database/data-source.js';
import { Database } from '../database/database.js';
import type { Group } from './user.js';
import { UsersService } from './users.service.js';

export interface DemoCredential {
  username: string;
  password: string;
  groups: Group[];
}

const DEMO_USERS: Array<{ username: string; groups: Group[] }> = [
  { username: 'admin', groups: ['admin'] },
  { username: 'analyst', groups: ['analyst'] },
];

@Injectable()
export class UsersBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersBootstrapService.name);
  private demo: DemoCredential[] = [];

  constructor(
    private readonly users: UsersService,
    private readonly db: Database,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
    @Inject(databaseConfig.KEY) private readonly database: ConfigType<typeof databaseConfig>,
  ) {}

  /** The demo users' credentials, once bootstrap has run (empty outside demo mode). */
  get demoCredentials(): DemoCredential[] {
    return this.demo;
  }

  async onApplicationBootstrap(): Promise<void> {
    if ((await pendingMigrations(this.db)).length > 0) {
      this.logger.warn(
        'Migrations are pending: user bootstrap skipped (run `npm run migration:run`)',
      );
      return;
    }
    const admin = this.auth.bootstrapAdmin;
    if (admin && (await this.users.count()) === 0) {
      await this.users.create(admin.username, admin.password, ['admin']);
      this.logger.log(
        `Created the first admin "${admin.username.toLowerCase()}" from ADMIN_USERNAME`,
      );
    }
    if (this.auth.demoUsers) this.demo = await this.ensureDemoUsers();
  }

  private async ensureDemoUsers(): Promise<DemoCredential[]> {
    const file = join(this.database.dataDir, 'demo-credentials.json');
    const saved = existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as DemoCredential[])
      : [];
    const credentials: DemoCredential[] = [];
    for (const { username, groups } of DEMO_USERS) {
      const known = saved.find((c) => c.username === username);
      const exists = await this.users.findForLogin(username);
      if (exists && known) {
        credentials.push(known);
      } else if (!exists) {
        const password = randomBytes(12).toString('base64url');
        await this.users.create(username, password, groups);
        credentials.push({ username, password, groups });
      } else {
        this.logger.warn(`Demo user "${username}" exists but its password is not in ${file}`);
      }
    }
    writeFileSync(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
    return credentials;
  }
}
