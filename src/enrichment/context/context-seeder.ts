// Demo mode only: fills the context tables, when both are empty, with mappings that match the
// mock upstream's internal ranges and owners for its ten sources, so enriched alerts name
// users and teams from the first sync.
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig } from '../../config/app.config.js';
import { pendingMigrations } from '../../database/data-source.js';
import { Database } from '../../database/database.js';
import { ContextRepository } from './context.repository.js';
import type { NewAssetOwner, NewIpUserMapping } from './context.types.js';

const DEMO_NOTE = 'demo seed';

export const DEMO_IP_USERS: NewIpUserMapping[] = [
  { network: '10.0.0.0/24', userName: 'alice', note: DEMO_NOTE },
  { network: '10.0.1.0/24', userName: 'bob', note: DEMO_NOTE },
  { network: '10.1.0.0/16', userName: 'carol', note: DEMO_NOTE },
  { network: '192.168.1.0/24', userName: 'dave', note: DEMO_NOTE },
  { network: '172.16.0.0/16', userName: 'erin', note: DEMO_NOTE },
];

export const DEMO_ASSETS: NewAssetOwner[] = [
  { source: 'firewall', ownerTeam: 'network-security', criticality: 'high', note: DEMO_NOTE },
  { source: 'ngfw', ownerTeam: 'network-security', criticality: 'critical', note: DEMO_NOTE },
  { source: 'ips', ownerTeam: 'soc-detection', criticality: 'high', note: DEMO_NOTE },
  { source: 'vpn_gateway', ownerTeam: 'remote-access', criticality: 'critical', note: DEMO_NOTE },
  {
    source: 'router_acl',
    ownerTeam: 'network-engineering',
    criticality: 'medium',
    note: DEMO_NOTE,
  },
  { source: 'waf', ownerTeam: 'application-security', criticality: 'high', note: DEMO_NOTE },
  { source: 'swg', ownerTeam: 'secure-web', criticality: 'medium', note: DEMO_NOTE },
  { source: 'nac', ownerTeam: 'endpoint-security', criticality: 'medium', note: DEMO_NOTE },
  { source: 'api_gateway', ownerTeam: 'platform', criticality: 'high', note: DEMO_NOTE },
  { source: 'load_balancer', ownerTeam: 'platform', criticality: 'low', note: DEMO_NOTE },
];

@Injectable()
export class ContextSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(ContextSeeder.name);

  constructor(
    private readonly context: ContextRepository,
    private readonly db: Database,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.app.demo) return;
    if ((await pendingMigrations(this.db)).length > 0) {
      this.logger.warn('Migrations are pending: demo context seed skipped');
      return;
    }
    if (await this.context.seedWhenEmpty(DEMO_IP_USERS, DEMO_ASSETS)) {
      this.logger.log(
        `Seeded demo context: ${DEMO_IP_USERS.length} network mappings, ${DEMO_ASSETS.length} source owners`,
      );
    }
  }
}
