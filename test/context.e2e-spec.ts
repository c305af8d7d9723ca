// The enrichment context over HTTP against the real service: who may read and change the
// network → user and source → owner tables, validation, conflicts; the longest-prefix lookup the
// context plugin runs, on the real database; and the demo seed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContextIndex } from '../src/enrichment/context/context-index.js';
import { Database } from '../src/database/database.js';
import { ContextRepository } from '../src/enrichment/context/context.repository.js';
import { expectProblem, problemFields } from './support/problem.js';
import { startTestApp, TestApp, TestUser } from './support/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const IP_USER = { network: '10.0.0.0/24', user_name: 'alice', note: 'Finance VLAN' };
const ASSET = { source: 'firewall', owner_team: 'network-security', criticality: 'high' };

describe('Context API (e2e)', () => {
  let t: TestApp;
  let admin: TestUser;
  let analyst: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ TOR_REFRESH_HOURS: '0' });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.reset();
    admin = await t.user('root', ['admin']);
    analyst = await t.user('watcher', ['analyst']);
  });

  const del = (path: string, token?: string) => t.api.call('DELETE', path, { token });
  const createIpUser = (body: unknown, token = admin.token) =>
    t.api.post('/api/context/ip-users', { token, body });
  const createAsset = (body: unknown, token = admin.token) =>
    t.api.post('/api/context/assets', { token, body });
  const ipUserRows = async () =>
    (
      await t.db.query(
        'SELECT network::text AS network, user_name FROM context_ip_users ORDER BY network',
      )
    ).rows;
  const assetRows = async () =>
    (await t.db.query('SELECT source, owner_team FROM context_assets ORDER BY source')).rows;

  describe('access', () => {
    // Every row has a body slot: Jest would take a missing third argument for a `done` callback.
    const routes: Array<[string, string, unknown]> = [
      ['GET', '/api/context/ip-users', undefined],
      ['POST', '/api/context/ip-users', IP_USER],
      ['DELETE', `/api/context/ip-users/${UNKNOWN_ID}`, undefined],
      ['GET', '/api/context/assets', undefined],
      ['POST', '/api/context/assets', ASSET],
      ['DELETE', '/api/context/assets/firewall', undefined],
    ];

    it.each(routes)(
      '%s %s answers 401 without a token or with a bad one',
      async (method, path, body) => {
        expectProblem(await t.api.call(method, path, { body }), 401);
        expectProblem(await t.api.call(method, path, { body, token: 'not.a.jwt' }), 401);
      },
    );

    it.each(routes.filter(([method]) => method !== 'GET'))(
      '%s %s answers 403 to an analyst and changes nothing',
      async (method, path, body) => {
        await t.db.query(
          `INSERT INTO context_assets (source, owner_team) VALUES ('firewall', 'netsec')`,
        );
        const res = await t.api.call(method, path, { body, token: analyst.token });
        expectProblem(res, 403);
        expect(await ipUserRows()).toEqual([]);
        expect(await assetRows()).toEqual([{ source: 'firewall', owner_team: 'netsec' }]);
      },
    );

    it.each(routes.filter(([method]) => method === 'GET'))(
      '%s %s is open to analysts',
      async (method, path) => {
        expect((await t.api.call(method, path, { token: analyst.token })).status).toBe(200);
      },
    );
  });

  describe('ip-users', () => {
    it('creates (201), lists by network and deletes (204) a mapping', async () => {
      const created = await createIpUser(IP_USER);
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(UUID),
        network: '10.0.0.0/24',
        user_name: 'alice',
        note: 'Finance VLAN',
        created_at: expect.stringMatching(ISO_UTC),
      });
      expect((await createIpUser({ network: '10.1.0.0/16', user_name: 'carol' })).status).toBe(201);
      expect((await createIpUser({ network: '2001:DB8:0::/48', user_name: 'v6' })).status).toBe(
        201,
      );

      const list = await t.api.get('/api/context/ip-users', { token: analyst.token });
      expect(list.status).toBe(200);
      expect(list.body.ip_users.map((m: { network: string }) => m.network)).toEqual([
        '10.0.0.0/24',
        '10.1.0.0/16',
        '2001:db8::/48',
      ]);
      expect(list.body.ip_users[1]).toMatchObject({ user_name: 'carol', note: null });

      const deleted = await del(`/api/context/ip-users/${created.body.id}`, admin.token);
      expect(deleted.status).toBe(204);
      expect(deleted.body).toBeUndefined();
      expect((await ipUserRows()).map((r) => r.network)).toEqual(['10.1.0.0/16', '2001:db8::/48']);
    });

    it.each([
      ['10.0.0.7', '10.0.0.7/32'],
      ['2001:db8::1', '2001:db8::1/128'],
      [' 192.168.1.0/24 ', '192.168.1.0/24'],
    ])('stores the single address or network %j as %s', async (network, stored) => {
      const res = await createIpUser({ network, user_name: 'dave' });
      expect(res.status).toBe(201);
      expect(res.body.network).toBe(stored);
    });

    it.each([
      ['the same network', '10.0.0.0/24'],
      ['the same address written as a /32', '10.0.0.7'],
    ])('answers 409 for %s and keeps the first mapping', async (_, network) => {
      expect((await createIpUser({ network: '10.0.0.0/24', user_name: 'alice' })).status).toBe(201);
      expect((await createIpUser({ network: '10.0.0.7/32', user_name: 'alice' })).status).toBe(201);

      const res = await createIpUser({ network, user_name: 'mallory' });

      expect(expectProblem(res, 409).detail).toContain(
        network.includes('/') ? network : `${network}/32`,
      );
      expect((await ipUserRows()).map((r) => r.user_name)).toEqual(['alice', 'alice']);
    });

    it.each<[string, string, unknown]>([
      ['network', 'missing', { user_name: 'alice' }],
      ['network', 'not a string', { ...IP_USER, network: 167772160 }],
      ['network', 'not an address', { ...IP_USER, network: 'finance-vlan' }],
      ['network', 'with host bits set', { ...IP_USER, network: '10.0.0.5/24' }],
      ['network', 'with too long a prefix', { ...IP_USER, network: '10.0.0.0/33' }],
      ['network', 'with a bad prefix', { ...IP_USER, network: '10.0.0.0/x' }],
      ['user_name', 'missing', { network: '10.0.0.0/24' }],
      ['user_name', 'blank', { ...IP_USER, user_name: '   ' }],
      ['user_name', 'not a string', { ...IP_USER, user_name: ['alice'] }],
      ['user_name', 'longer than 128', { ...IP_USER, user_name: 'a'.repeat(129) }],
      ['note', 'not a string', { ...IP_USER, note: 5 }],
      ['note', 'longer than 1000', { ...IP_USER, note: 'n'.repeat(1001) }],
      ['id', 'a client-chosen id', { ...IP_USER, id: UNKNOWN_ID }],
    ])('answers 400 naming only %s when it is %s, and stores nothing', async (field, _, body) => {
      const res = await createIpUser(body);
      expectProblem(res, 400);
      expect(problemFields(res)).toEqual([field]);
      expect(await ipUserRows()).toEqual([]);
    });

    it('says which network was meant when host bits are set', async () => {
      const res = await createIpUser({ ...IP_USER, network: '10.0.0.5/24' });
      expect(expectProblem(res, 400).errors[0].message).toMatch(/10\.0\.0\.0\/24/);
    });

    it('names every offending field at once', async () => {
      const res = await createIpUser({ network: 'x', user_name: '', note: 1, extra: true });
      expectProblem(res, 400);
      expect(problemFields(res)).toEqual(['extra', 'network', 'note', 'user_name']);
    });

    it('answers 404 for an unknown id and 400 naming id for a malformed one', async () => {
      expect(
        expectProblem(await del(`/api/context/ip-users/${UNKNOWN_ID}`, admin.token), 404).detail,
      ).toContain(UNKNOWN_ID);
      const bad = await del('/api/context/ip-users/not-a-uuid', admin.token);
      expectProblem(bad, 400);
      expect(problemFields(bad)).toEqual(['id']);
    });
  });

  describe('assets', () => {
    it('creates (201), lists by source and deletes (204) an owner', async () => {
      const created = await createAsset({ ...ASSET, criticality: 'HIGH', note: 'edge firewalls' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        source: 'firewall',
        owner_team: 'network-security',
        criticality: 'high',
        note: 'edge firewalls',
        created_at: expect.stringMatching(ISO_UTC),
      });
      expect((await createAsset({ source: 'api_gateway', owner_team: 'platform' })).status).toBe(
        201,
      );

      const list = await t.api.get('/api/context/assets', { token: analyst.token });
      expect(list.status).toBe(200);
      expect(list.body.assets.map((a: { source: string }) => a.source)).toEqual([
        'api_gateway',
        'firewall',
      ]);
      expect(list.body.assets[0]).toMatchObject({ criticality: null, note: null });

      expect((await del('/api/context/assets/firewall', admin.token)).status).toBe(204);
      expect(await assetRows()).toEqual([{ source: 'api_gateway', owner_team: 'platform' }]);
    });

    it('answers 409 for a source that has an owner, and keeps it', async () => {
      expect((await createAsset(ASSET)).status).toBe(201);
      const res = await createAsset({ ...ASSET, owner_team: 'someone-else' });
      expect(expectProblem(res, 409).detail).toContain('firewall');
      expect(await assetRows()).toEqual([{ source: 'firewall', owner_team: 'network-security' }]);
    });

    it.each<[string, string, unknown]>([
      ['source', 'missing', { owner_team: 'netsec' }],
      ['source', 'empty', { ...ASSET, source: '' }],
      ['source', 'with a space', { ...ASSET, source: 'edge firewall' }],
      ['source', 'longer than 64', { ...ASSET, source: 's'.repeat(65) }],
      ['owner_team', 'missing', { source: 'firewall' }],
      ['owner_team', 'blank', { ...ASSET, owner_team: ' ' }],
      ['owner_team', 'longer than 128', { ...ASSET, owner_team: 't'.repeat(129) }],
      ['criticality', 'unknown', { ...ASSET, criticality: 'urgent' }],
      ['criticality', 'a number', { ...ASSET, criticality: 3 }],
      ['note', 'not a string', { ...ASSET, note: {} }],
      ['owner', 'an unknown field', { ...ASSET, owner: 'x' }],
    ])('answers 400 naming only %s when it is %s, and stores nothing', async (field, _, body) => {
      const res = await createAsset(body);
      expectProblem(res, 400);
      expect(problemFields(res)).toEqual([field]);
      expect(await assetRows()).toEqual([]);
    });

    it('answers 404 for a source without an owner', async () => {
      expect(
        expectProblem(await del('/api/context/assets/nac', admin.token), 404).detail,
      ).toContain('nac');
    });
  });
});

describe('the context in memory, read from PostgreSQL (e2e)', () => {
  let t: TestApp;
  let sut: ContextRepository;

  beforeAll(async () => {
    t = await startTestApp({ TOR_REFRESH_HOURS: '0' });
    // The repository's SQL, run on the migrated test database.
    sut = new ContextRepository(new Database(t.db));
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.reset();
    await t.db.query(`
      INSERT INTO context_ip_users (network, user_name) VALUES
        ('10.0.0.0/8', 'corp'), ('10.1.0.0/16', 'carol'), ('10.1.2.0/24', 'team-x'),
        ('10.1.2.3/32', 'printer'), ('192.168.1.0/24', 'dave'), ('0.0.0.0/0', 'internet'),
        ('2001:db8::/32', 'lab6'), ('2001:db8:1::/48', 'lab6-sub'), ('2001:db8:1::7/128', 'host6')`);
    await t.db.query(`INSERT INTO context_assets (source, owner_team, criticality) VALUES
        ('firewall', 'network-security', 'high'), ('waf', 'appsec', NULL)`);
  });

  it('answers every address as PostgreSQL’s own most-specific `network >>= ip` does', async () => {
    const ips = [
      '10.1.2.3',
      '10.1.2.4',
      '10.1.9.9',
      '10.200.0.1',
      '192.168.1.50',
      '172.16.0.1',
      '8.8.8.8',
      '0.0.0.0',
      '255.255.255.255',
      '2001:db8:1::5',
      '2001:db8:1::7',
      '2001:db8:2::5',
      '2001:db9::1',
      '::1',
    ];
    const { rows: oracle } = await t.db.query<{ ip: string; user_name: string; network: string }>(
      `SELECT host(ips.ip) AS ip, hit.user_name, hit.network::text AS network
         FROM unnest($1::inet[]) AS ips (ip)
         CROSS JOIN LATERAL (
           SELECT u.user_name, u.network FROM context_ip_users u
            WHERE u.network >>= ips.ip ORDER BY masklen(u.network) DESC LIMIT 1) hit`,
      [ips],
    );
    const index = new ContextIndex(await sut.snapshot());
    const matches = index.match(ips, ['firewall', 'waf', 'nac']);

    expect(Object.fromEntries(matches.ipUsers)).toEqual(
      Object.fromEntries(oracle.map((r) => [r.ip, { userName: r.user_name, network: r.network }])),
    );
    // and what that is, spelled out
    expect(matches.ipUsers.get('10.1.2.3')).toEqual({
      userName: 'printer',
      network: '10.1.2.3/32',
    });
    expect(matches.ipUsers.get('10.1.9.9')?.userName).toBe('carol');
    expect(matches.ipUsers.get('8.8.8.8')?.userName).toBe('internet');
    expect(matches.ipUsers.get('2001:db8:1::7')?.userName).toBe('host6');
    expect(matches.ipUsers.get('2001:db8:2::5')?.userName).toBe('lab6');
    expect(matches.ipUsers.has('::1')).toBe(false);
    expect(Object.fromEntries(matches.assets)).toEqual({
      firewall: { ownerTeam: 'network-security', criticality: 'high' },
      waf: { ownerTeam: 'appsec', criticality: null },
    });
  });

  it('moves the version with every committed write to either table, whoever writes', async () => {
    const versions = [await sut.version()];
    const step = async (sql: string) => {
      await t.db.query(sql);
      versions.push(await sut.version());
    };
    await step(`INSERT INTO context_ip_users (network, user_name) VALUES ('172.16.0.0/12', 'x')`);
    await step(`UPDATE context_assets SET owner_team = 'netsec' WHERE source = 'firewall'`);
    await step(`DELETE FROM context_ip_users WHERE user_name = 'x'`);
    await step('TRUNCATE context_assets');
    expect(new Set(versions).size).toBe(versions.length);
    expect(versions.map(Number)).toEqual([...versions.map(Number)].sort((a, b) => a - b));
  });

  // The embedded database runs one transaction at a time: a reader would wait for the writer.
  const onServer = process.env.TEST_DATABASE_EMBEDDED ? it.skip : it;
  onServer('moves the version when the write commits, not before', async () => {
    const before = await sut.version();
    const writer = await t.db.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(`INSERT INTO context_assets (source, owner_team) VALUES ('nac', 'it')`);
      expect(await sut.version()).toBe(before);
      await writer.query('COMMIT');
      expect(await sut.version()).not.toBe(before);
    } finally {
      writer.release();
    }
  });

  it('reads both tables with the version they are at', async () => {
    const snapshot = await sut.snapshot();
    expect(snapshot.version).toBe(await sut.version());
    expect(snapshot.ipUsers).toHaveLength(9);
    expect(snapshot.assets).toEqual(
      expect.arrayContaining([{ source: 'waf', ownerTeam: 'appsec', criticality: null }]),
    );
  });
});

describe('demo context seed (e2e)', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-context-demo-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const startDemo = () =>
    startTestApp({ TOR_REFRESH_HOURS: '0', VIGIL_DEMO: 'true', DATA_DIR: dataDir });

  it('fills both tables when they are empty, and leaves them alone otherwise', async () => {
    let t = await startDemo();
    try {
      await t.reset();
      await t.db.query(
        `INSERT INTO context_assets (source, owner_team) VALUES ('firewall', 'mine')`,
      );
    } finally {
      await t.close();
    }

    // one row present: nothing is seeded
    t = await startDemo();
    try {
      const rows = await t.db.query('SELECT source FROM context_assets');
      expect(rows.rows).toEqual([{ source: 'firewall' }]);
      expect((await t.db.query('SELECT count(*)::int AS n FROM context_ip_users')).rows).toEqual([
        { n: 0 },
      ]);
      await t.reset();
    } finally {
      await t.close();
    }

    // both empty: the demo mappings and owners
    t = await startDemo();
    try {
      const users = await t.db.query(
        'SELECT network::text AS network, user_name FROM context_ip_users ORDER BY network',
      );
      expect(users.rows).toEqual([
        { network: '10.0.0.0/24', user_name: 'alice' },
        { network: '10.0.1.0/24', user_name: 'bob' },
        { network: '10.1.0.0/16', user_name: 'carol' },
        { network: '172.16.0.0/16', user_name: 'erin' },
        { network: '192.168.1.0/24', user_name: 'dave' },
      ]);
      const assets = await t.db.query('SELECT source FROM context_assets ORDER BY source');
      expect(assets.rows.map((r) => r.source)).toEqual([
        'api_gateway',
        'firewall',
        'ips',
        'load_balancer',
        'nac',
        'ngfw',
        'router_acl',
        'swg',
        'vpn_gateway',
        'waf',
      ]);
    } finally {
      await t.reset();
      await t.close();
    }
  });
});
