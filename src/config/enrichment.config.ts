import { registerAs } from '@nestjs/config';
import { join, resolve } from 'node:path';
import { processEnvironment } from './environment.js';

export const enrichmentConfig = registerAs('enrichment', () => {
  const env = processEnvironment();
  return {
    geoip: {
      /** Unset: the bundled DB-IP City Lite files (IPv4 at start, IPv6 on first use). */
      dbPath: env.GEOIP_DB_PATH ? resolve(env.GEOIP_DB_PATH) : undefined,
      asnDbPath: env.GEOIP_ASN_DB_PATH ? resolve(env.GEOIP_ASN_DB_PATH) : undefined,
    },
    tor: {
      url: env.TOR_EXIT_LIST_URL,
      /** 0: never download; the list comes from the last good copy on disk or the snapshot. */
      refreshHours: env.TOR_REFRESH_HOURS,
      /** The last good download, read at start-up before the shipped snapshot. */
      diskCopyPath: join(resolve(env.DATA_DIR), 'tor-exit-list.txt'),
    },
  };
});
export type EnrichmentConfig = ReturnType<typeof enrichmentConfig>;
