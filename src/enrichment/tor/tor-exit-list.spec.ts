import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ipScope } from '../ip-scope.js';
import {
  parseExitList,
  shippedSnapshotPath,
  TorExitList,
  type TorExitListOptions,
} from './tor-exit-list.js';

/** `count` distinct public addresses in 185.220.<third>.0/24 … */
function exits(count: number, third = 101): string[] {
  return Array.from(
    { length: count },
    (_, i) => `185.${220 + Math.floor(i / 250)}.${third}.${(i % 250) + 1}`,
  );
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe(TorExitList.name, () => {
  let dir: string;
  let server: Server;
  let url: string;
  let handler: Handler;
  let requests: number;
  let sut: TorExitList | undefined;

  const options = (overrides: Partial<TorExitListOptions> = {}): TorExitListOptions => ({
    url,
    refreshHours: 0,
    diskCopyPath: join(dir, 'data', 'tor-exit-list.txt'),
    snapshotPath: join(dir, 'snapshot.txt'),
    timeoutMs: 2000,
    ...overrides,
  });
  const start = (overrides: Partial<TorExitListOptions> = {}) => {
    sut = new TorExitList(options(overrides));
    sut.onModuleInit();
    return sut;
  };
  const serve =
    (status: number, body: string): Handler =>
    (_req, res) => {
      res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    };

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      handler(req, res);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/torbulkexitlist`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-tor-'));
    writeFileSync(
      join(dir, 'snapshot.txt'),
      `# snapshot\n# updated_at: 2026-01-02T03:04:05.000Z\n${exits(150, 100).join('\n')}\n`,
    );
    requests = 0;
    handler = serve(200, exits(200).join('\n'));
  });
  afterEach(() => {
    sut?.onModuleDestroy();
    sut = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  describe('at start', () => {
    it('loads the shipped snapshot when there is no copy on disk, without the network', () => {
      const list = start({ refreshHours: 6 });
      expect({ size: list.size, source: list.source, updatedAt: list.updatedAt }).toEqual({
        size: 150,
        source: 'snapshot',
        updatedAt: new Date('2026-01-02T03:04:05.000Z'),
      });
      expect(list.has('185.220.100.1')).toBe(true);
      expect(list.has('185.220.101.1')).toBe(false);
      expect(requests).toBe(0);
    });

    it('prefers the last good copy on disk over the snapshot', async () => {
      await start().refresh();
      sut!.onModuleDestroy();

      const list = start();

      expect({ size: list.size, source: list.source }).toEqual({ size: 200, source: 'disk' });
      expect(list.updatedAt?.getTime()).toBeGreaterThan(Date.now() - 60_000);
      expect(requests).toBe(1);
    });

    it('falls back to the snapshot when the copy on disk is implausibly small', () => {
      const copy = options().diskCopyPath;
      mkdirSync(join(dir, 'data'));
      writeFileSync(copy, '185.220.101.1\n');
      const list = start();
      expect({ size: list.size, source: list.source }).toEqual({ size: 150, source: 'snapshot' });
    });

    it('starts with an empty list when there is neither', () => {
      const list = start({ snapshotPath: join(dir, 'missing.txt') });
      expect({ size: list.size, source: list.source, updatedAt: list.updatedAt }).toEqual({
        size: 0,
        source: 'none',
        updatedAt: null,
      });
    });

    it('never waits for the network: bootstrap returns at once and refreshes in the background', async () => {
      let release!: () => void;
      const answered = new Promise<void>((done) => (release = done));
      handler = (_req, res) => {
        void answered.then(() => res.writeHead(200).end(exits(300).join('\n')));
      };
      const list = start({ refreshHours: 6 });

      expect(list.onApplicationBootstrap()).toBeUndefined();
      expect({ size: list.size, source: list.source }).toEqual({ size: 150, source: 'snapshot' });

      await until(() => requests === 1);
      release();
      await until(() => list.source === 'network');
      expect(list.size).toBe(300);
    });

    it('with TOR_REFRESH_HOURS=0 never downloads', async () => {
      const list = start({ refreshHours: 0 });
      list.onApplicationBootstrap();
      await new Promise((done) => setTimeout(done, 100));
      expect(requests).toBe(0);
      expect(list.source).toBe('snapshot');
    });

    it('waits for its turn when the copy on disk is fresh', async () => {
      await start().refresh();
      sut!.onModuleDestroy();
      requests = 0;

      start({ refreshHours: 6 }).onApplicationBootstrap();
      await new Promise((done) => setTimeout(done, 100));

      expect(requests).toBe(0);
    });
  });

  describe('refresh', () => {
    it('swaps in the downloaded list as a new Set and keeps a copy on disk atomically', async () => {
      const list = start();
      const before = list.addresses;

      const outcome = await list.refresh();

      expect(outcome).toEqual({ ok: true, size: 200 });
      expect(list.addresses).not.toBe(before);
      expect(before.size).toBe(150); // the old Set was replaced, not modified
      expect({ size: list.size, source: list.source }).toEqual({ size: 200, source: 'network' });
      expect(list.has('185.220.101.1')).toBe(true);
      expect(list.has('185.220.100.1')).toBe(false);
      const copy = readFileSync(options().diskCopyPath, 'utf8');
      expect(parseExitList(copy).addresses).toEqual(new Set(exits(200)));
      expect(parseExitList(copy).updatedAt).toEqual(list.updatedAt);
      expect(readdirSync(join(dir, 'data'))).toEqual(['tor-exit-list.txt']); // no temporary file left
    });

    it.each([
      ['answers 500', serve(500, 'oops')],
      ['answers 404', serve(404, exits(200).join('\n'))],
      ['answers an HTML error page', serve(200, '<html><body>Service unavailable</body></html>')],
      ['answers an implausibly small list', serve(200, exits(99).join('\n'))],
      ['closes the connection', (req: IncomingMessage) => req.socket.destroy()],
    ])('keeps the current list when the server %s', async (_, failing) => {
      const list = start();
      await list.refresh();
      const good = list.addresses;
      const copy = readFileSync(options().diskCopyPath, 'utf8');
      handler = failing;

      const outcome = await list.refresh();

      expect(outcome).toEqual({ ok: false, reason: expect.any(String) });
      expect(list.addresses).toBe(good);
      expect(list.source).toBe('network');
      expect(readFileSync(options().diskCopyPath, 'utf8')).toBe(copy);
    });

    it('keeps the current list when the server does not answer in time', async () => {
      handler = () => undefined; // never answers
      const list = start({ timeoutMs: 200 });

      const outcome = await list.refresh();

      expect(outcome).toEqual({
        ok: false,
        reason: expect.stringMatching(/ECONNABORTED|timeout/i),
      });
      expect({ size: list.size, source: list.source }).toEqual({ size: 150, source: 'snapshot' });
      expect(existsSync(options().diskCopyPath)).toBe(false);
    });

    it('ignores comments, blank lines and anything that is not an IPv4 address', async () => {
      const garbage = [
        '# Tor bulk exit list',
        '',
        '   ',
        ...exits(120).map((ip, i) => (i % 2 ? `  ${ip}  ` : ip)),
        '185.220.101.1', // duplicate
        '999.1.1.1',
        '185.220.101',
        '01.2.3.4',
        '2001:db8::1',
        'ExitAddress 185.220.1.1 2026-01-01 00:00:00',
        'hello world',
        '185.220.200.1 # trailing comment',
        '185.220.200.2\r',
      ];
      handler = serve(200, garbage.join('\n'));
      const list = start();

      expect(await list.refresh()).toEqual({ ok: true, size: 122 });
      expect(list.has('185.220.200.1')).toBe(true);
      expect(list.has('185.220.200.2')).toBe(true);
      expect(list.has('2001:db8::1')).toBe(false);
    });

    it('shares one download between concurrent calls', async () => {
      const list = start();
      const outcomes = await Promise.all([list.refresh(), list.refresh(), list.refresh()]);
      expect(outcomes.every((o) => o.ok)).toBe(true);
      expect(requests).toBe(1);
    });

    it('still swaps the list when the copy cannot be written', async () => {
      writeFileSync(join(dir, 'data'), 'a file where the directory should be');
      const list = start();
      expect(await list.refresh()).toEqual({ ok: true, size: 200 });
      expect(list.source).toBe('network');
    });
  });

  describe('has', () => {
    it('matches IPv4 and IPv4-mapped IPv6 addresses of listed exits only', () => {
      const list = start();
      expect(list.has('185.220.100.7')).toBe(true);
      expect(list.has('::ffff:185.220.100.7')).toBe(true);
      expect(list.has('185.220.100.200')).toBe(false);
      expect(list.has('2001:db8::1')).toBe(false);
      expect(list.has('garbage')).toBe(false);
    });
  });

  it('finds the snapshot shipped in the repository, with over a thousand public addresses', () => {
    const { addresses, updatedAt } = parseExitList(readFileSync(shippedSnapshotPath(), 'utf8'));
    expect(addresses.size).toBeGreaterThan(1000);
    expect(updatedAt).toBeInstanceOf(Date);
    expect([...addresses].filter((ip) => ipScope(ip) !== 'public')).toEqual([]);
  });
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((done) => setTimeout(done, 10));
  }
}
