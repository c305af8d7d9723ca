// Enrichment in the real service: alerts synced from a small local upstream come out with
// GeoIP, Tor and context data; the Tor exit list is downloaded in the background (readiness
// never waits for it), swapped in, kept in DATA_DIR and read back on the next start; a GeoIP
// file that cannot be read stops start-up with one line naming the variable. Alerts without an
// upstream id, which this upstream can serve, are deduplicated by their fingerprint.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { StandardAlert } from '../mock-api/alert-generator.js';
import {
  freePort,
  serviceEnvironment,
  startTestApp,
  testDatabaseUrl,
  TestApp,
  TestUser,
} from './support/test-app.js';

const ROOT = resolve(import.meta.dirname, '..');

/** The mock always sends an id; a real upstream may leave it out. */
type UpstreamAlert = Omit<StandardAlert, 'id'> & { id?: string };

/** Serves `GET /alerts` (one page, every alert) and `GET /torbulkexitlist` (handler swappable). */
class LocalUpstream {
  alerts: UpstreamAlert[] = [];
  torRequests = 0;
  tor: (res: ServerResponse) => void = (res) => res.writeHead(503).end();
  private readonly server: Server;
  private readonly pending = new Set<ServerResponse>();

  constructor() {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/alerts') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ alerts: this.alerts, next_cursor: null }));
      } else if (path === '/torbulkexitlist') {
        this.torRequests++;
        this.pending.add(res);
        res.on('close', () => this.pending.delete(res));
        this.tor(res);
      } else {
        res.writeHead(404).end();
      }
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((done) => this.server.close(done));
  }
}

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const alert = (id: string, source: string, src?: string, dst?: string): UpstreamAlert => ({
  id,
  source,
  severity: 'high',
  description: `test alert ${id}`,
  created_at: minutesAgo(5),
  ...(src && { src_ip: src }),
  ...(dst && { dst_ip: dst }),
});

/** 150 public addresses in 45.66.<third>.0/24: a plausible downloaded list. */
const downloadedList = (third = 33) =>
  Array.from({ length: 150 }, (_, i) => `45.66.${third}.${i + 1}`).join('\n') + '\n';

async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface AlertRow {
  external_id: string;
  country: string | null;
  user_name: string | null;
  enrichment_type: string;
  enrichment: Record<string, any>;
}

describe('Enrichment (e2e)', () => {
  let upstream: LocalUpstream;
  let dataDir: string;

  beforeAll(async () => {
    upstream = await new LocalUpstream().start();
  });
  afterAll(() => upstream.close());
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-enrichment-'));
    upstream.torRequests = 0;
    upstream.tor = (res) => res.writeHead(503).end();
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const start = (env: Record<string, string> = {}) =>
    startTestApp({
      UPSTREAM_URL: upstream.url,
      DATA_DIR: dataDir,
      DEFAULT_LOOKBACK_HOURS: '1',
      TOR_REFRESH_HOURS: '0',
      TOR_EXIT_LIST_URL: `${upstream.url}/torbulkexitlist`,
      ...env,
    });

  async function sync(t: TestApp, admin: TestUser): Promise<Map<string, AlertRow>> {
    const started = await t.api.post('/api/sync', { token: admin.token });
    expect(started.status).toBe(202);
    await until('the sync to finish', async () => {
      const { rows } = await t.db.query<{ result: string }>(
        'SELECT result FROM sync_runs WHERE id = $1',
        [started.body.run_id],
      );
      return rows[0]?.result !== undefined && rows[0].result !== 'running';
    });
    const { rows } = await t.db.query<AlertRow>(
      'SELECT external_id, country, user_name, enrichment_type, enrichment FROM alerts',
    );
    return new Map(rows.map((r) => [r.external_id, r]));
  }

  it('stores synced alerts with their GeoIP, Tor and context enrichment', async () => {
    upstream.alerts = [
      alert('tor', 'firewall', '10.0.0.5', '185.220.101.1'),
      alert('google', 'ngfw', '10.1.2.3', '8.8.8.8'),
      alert('cloudflare', 'waf', '192.168.1.9', '1.1.1.1'),
      alert('inbound', 'vpn_gateway', '8.8.8.8', '10.0.1.20'),
      alert('v6', 'api_gateway', 'fd00::1', '2a00:1450:4001:80b::200e'),
      alert('bare', 'nac'),
    ];
    const t = await start();
    try {
      await t.reset();
      const admin = await t.user('root', ['admin']);
      for (const body of [
        { network: '10.0.0.0/24', user_name: 'alice' },
        { network: '10.0.1.0/24', user_name: 'bob' },
        { network: '10.0.0.0/8', user_name: 'corp' },
        { network: '10.1.0.0/16', user_name: 'carol' },
        { network: '192.168.1.0/24', user_name: 'dave' },
      ]) {
        expect(
          (await t.api.post('/api/context/ip-users', { token: admin.token, body })).status,
        ).toBe(201);
      }
      const asset = { source: 'firewall', owner_team: 'network-security', criticality: 'high' };
      expect(
        (await t.api.post('/api/context/assets', { token: admin.token, body: asset })).status,
      ).toBe(201);

      const alerts = await sync(t, admin);

      expect(alerts.size).toBe(6);
      expect(alerts.get('tor')).toMatchObject({
        country: 'DE',
        user_name: 'alice',
        enrichment_type: 'tor_exit_node',
        enrichment: {
          errors: [],
          geo: {
            src: { scope: 'private' },
            dst: { scope: 'public', country_code: 'DE' },
            database: expect.stringMatching(/^DB-IP City Lite \d{4}-\d{2}-\d{2}$/),
          },
          tor: { src_listed: false, dst_listed: true, list_updated_at: expect.any(String) },
          context: {
            user: 'alice',
            user_network: '10.0.0.0/24',
            matched_on: 'src_ip',
            asset: { owner_team: 'network-security', criticality: 'high' },
          },
        },
      });
      // the addresses are the alert's own columns, not repeated inside its geo sides
      const torGeo = (alerts.get('tor')!.enrichment as { geo: Record<string, object> }).geo;
      expect(torGeo.src).toEqual({ scope: 'private' });
      expect(torGeo.dst).not.toHaveProperty('ip');
      expect(alerts.get('google')).toMatchObject({
        country: 'US',
        user_name: 'carol',
        enrichment_type: 'clean',
        enrichment: {
          tor: { dst_listed: false },
          context: { user_network: '10.1.0.0/16', asset: null },
        },
      });
      expect(alerts.get('cloudflare')).toMatchObject({ country: 'AU', user_name: 'dave' });
      // the user of dst_ip when src_ip names nobody; the country of src_ip when dst_ip is private
      expect(alerts.get('inbound')).toMatchObject({
        country: 'US',
        user_name: 'bob',
        enrichment: { context: { matched_on: 'dst_ip' } },
      });
      expect(alerts.get('v6')).toMatchObject({
        country: 'DE',
        user_name: null,
        enrichment: { geo: { src: { scope: 'private' }, dst: { country_code: 'DE' } } },
      });
      expect(alerts.get('bare')).toMatchObject({
        country: null,
        user_name: null,
        enrichment_type: 'clean',
        enrichment: {
          errors: [],
          geo: { src: null, dst: null },
          tor: { src_listed: false, dst_listed: false },
          context: null,
        },
      });
    } finally {
      await t.close();
    }
  });

  it('dedups alerts without an upstream id by their fingerprint, which only they store', async () => {
    const withoutId = { ...alert('unused', 'firewall', '10.0.0.5', '8.8.8.8'), id: undefined };
    upstream.alerts = [
      alert('with-id', 'waf', '10.0.0.6', '1.1.1.1'),
      withoutId,
      { ...withoutId }, // the same alert again, in the same page
      { ...withoutId, description: 'another alert without an id' },
    ];
    const t = await start();
    try {
      await t.reset();
      const admin = await t.user('root', ['admin']);
      const stored = async () =>
        (
          await t.db.query<{ external_id: string | null; fingerprint: Buffer | null }>(
            'SELECT external_id, fingerprint FROM alerts ORDER BY external_id, fingerprint',
          )
        ).rows;
      await sync(t, admin);
      const first = await stored();
      expect(first.map((r) => r.external_id)).toEqual(['with-id', null, null]);
      expect(first[0].fingerprint).toBeNull();
      for (const row of first.slice(1)) expect(row.fingerprint).toHaveLength(32);
      expect(first[1].fingerprint!.equals(first[2].fingerprint!)).toBe(false);

      await sync(t, admin);
      expect(await stored()).toEqual(first);
    } finally {
      await t.close();
    }
  });

  it('is ready before the Tor list download answers, then swaps the list in and keeps it for the next start', async () => {
    let release!: () => void;
    const answered = new Promise<void>((done) => (release = done));
    upstream.tor = (res) => {
      void answered.then(() =>
        res.writeHead(200, { 'content-type': 'text/plain' }).end(downloadedList()),
      );
    };
    upstream.alerts = [alert('old', 'firewall', '10.0.0.5', '185.220.101.1')];
    const copy = join(dataDir, 'tor-exit-list.txt');

    let t = await start({ TOR_REFRESH_HOURS: '6' });
    try {
      await t.reset();
      // ready while the download is still hanging
      await until('the background download to start', () => upstream.torRequests === 1);
      expect(existsSync(copy)).toBe(false);
      const admin = await t.user('root', ['admin']);
      expect((await sync(t, admin)).get('old')?.enrichment_type).toBe('tor_exit_node'); // snapshot

      release();
      await until('the downloaded list on disk', () => existsSync(copy));
      expect(readFileSync(copy, 'utf8')).toContain('45.66.33.150');

      upstream.alerts = [
        alert('old-again', 'firewall', '10.0.0.5', '185.220.101.2'),
        alert('new', 'firewall', '10.0.0.5', '45.66.33.7'),
      ];
      const alerts = await sync(t, admin);
      expect(alerts.get('new')?.enrichment_type).toBe('tor_exit_node');
      expect(alerts.get('old-again')?.enrichment_type).toBe('clean'); // the snapshot was replaced
    } finally {
      await t.close();
    }

    // Next start, downloads off: the copy on disk, not the snapshot.
    t = await start({ TOR_REFRESH_HOURS: '0' });
    try {
      await t.reset();
      const admin = await t.user('root', ['admin']);
      upstream.alerts = [
        alert('restart-new', 'firewall', '10.0.0.5', '45.66.33.8'),
        alert('restart-old', 'firewall', '10.0.0.5', '185.220.101.3'),
      ];
      const alerts = await sync(t, admin);
      expect(alerts.get('restart-new')?.enrichment_type).toBe('tor_exit_node');
      expect(alerts.get('restart-old')?.enrichment_type).toBe('clean');
      expect(upstream.torRequests).toBe(1);
    } finally {
      await t.close();
    }
  });

  it('keeps the snapshot when the download fails, and writes nothing to DATA_DIR', async () => {
    upstream.tor = (res) => res.writeHead(500).end('upstream broke');
    upstream.alerts = [alert('snap', 'firewall', '10.0.0.5', '185.220.101.4')];
    const t = await start({ TOR_REFRESH_HOURS: '6' });
    try {
      await t.reset();
      await until('the download attempt', () => upstream.torRequests === 1);
      const admin = await t.user('root', ['admin']);
      expect((await sync(t, admin)).get('snap')?.enrichment_type).toBe('tor_exit_node');
      expect(existsSync(join(dataDir, 'tor-exit-list.txt'))).toBe(false);
    } finally {
      await t.close();
    }
  });

  it.each([
    ['GEOIP_DB_PATH', '/nonexistent/GeoLite2-City.mmdb'],
    ['GEOIP_ASN_DB_PATH', '/nonexistent/GeoLite2-ASN.mmdb'],
    ['TOR_REFRESH_HOURS', 'hourly'],
    ['TOR_EXIT_LIST_URL', 'not a url'],
  ])('refuses to start with %s=%j: exit 1, one line naming the variable', async (name, value) => {
    const port = await freePort();
    const child = spawn(process.execPath, [resolve(ROOT, 'dist/src/main.js')], {
      cwd: ROOT,
      env: serviceEnvironment(port, testDatabaseUrl(), { DATA_DIR: dataDir, [name]: value }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.once('close', done));

    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Invalid configuration: .*\\b${name}\\b`));
    expect(stderr).not.toMatch(/\bat .+\.js:\d+/);
  });
});
