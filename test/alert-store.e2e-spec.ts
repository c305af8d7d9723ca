// The alert store and the SQL builders it and the events module run, executed on the suite's
// database: every expectation is computed here from the rows this file inserted (a plain
// JavaScript predicate over them), never from SQL text. No service is started: the store runs on
// its own pool, as it does inside the service.
import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import pg from 'pg';
import {
  type AlertInsertRow,
  AlertStore,
  encodeAlertRows,
  type EventAlert,
} from '../src/alerts/alert.store.js';
import { ALERT_PAGING, type AlertFilter, type AlertRow } from '../src/alerts/alert-sql.js';
import {
  ALERT_ORIGINS,
  ALERT_STATUSES,
  type AlertOrigin,
  type AlertStatus,
} from '../src/alerts/alert.types.js';
import { fetchKeysetPage, type Page } from '../src/common/pagination/paginate.js';
import { pageMeta, pageRequest, type PageRequest } from '../src/common/pagination/page-request.js';
import type { PagingOptions } from '../src/common/pagination/page-query.dto.js';
import type { SqlQuery } from '../src/common/pagination/sql-conditions.js';
import { InvalidInputError } from '../src/common/problem/domain-error.js';
import { SEVERITIES, type Severity } from '../src/common/severity.js';
import { runMigrations } from '../src/database/data-source.js';
import { Database, QueryError } from '../src/database/database.js';
import { ENRICHMENT_TYPES, type EnrichmentType } from '../src/enrichment/enrichment.types.js';
import { inNetwork, parseIp } from '../src/enrichment/ip-address.js';
import {
  EVENT_PAGING,
  eventByIdQuery,
  type EventFilter,
  eventPageSpec,
  type EventRow,
  insertEventPart,
  type NewEvent,
  raisesAlert,
  type StoredEventRow,
  withAlertAndCreator,
} from '../src/events/event-sql.js';
import { resetDatabase, testDatabaseUrl } from './support/test-app.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Whether either address lies in `network` (an address or CIDR, as the `ip` filter has it). */
function eitherIn(addresses: Array<string | null>, network: string): boolean {
  const [base, prefix] = network.split('/');
  const net = parseIp(base)!;
  return addresses.some((a) => a !== null && inNetwork(parseIp(a)!, net, Number(prefix)));
}

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** An alert of the fixed set, with the columns the page insert does not write. */
interface Fixture {
  key: string;
  source: string;
  externalId: string | null;
  fingerprintHex: string | null;
  severity: Severity;
  status: AlertStatus;
  origin: AlertOrigin;
  description: string;
  createdAt: string;
  srcIp: string;
  dstIp: string | null;
  country: string | null;
  user: string | null;
  enrichmentType: EnrichmentType;
  assigned: boolean;
}
type Stored = Fixture & { id: string };

const SOURCES = ['fw', 'edr', 'waf'];
const COUNTRIES = ['DE', 'US', null];
const USERS = ['alice', 'bob', null];
// Literal `%`, `_` and `\` beside texts their wildcard readings would match, and mixed case.
const DESCRIPTIONS = [
  '50% of logins failed',
  '500 logins failed',
  'Brute FORCE on ssh',
  'brute force on rdp',
  'user_name leaked',
  'userXname leaked',
  'C:\\temp\\drop.exe written',
  'Port scan',
];
const TEXTS = ['%', '_', '50%', 'user_name', 'FORCE', 'Brute Force', 'LEAKED', '\\temp', 'nowhere'];
const WINDOWS = [1, 2, 5, 24, 48, 100];

/**
 * 36 alerts over three days, every value of every filtered column several times. Times sit half
 * an hour off whole hours (a `hours` window never ends near one), some pairs share a time (the id
 * breaks the tie in the page order), one is dated in the future.
 */
function fixtures(now: number): Fixture[] {
  return Array.from({ length: 36 }, (_, i) => {
    const slot = i % 9 === 1 ? i - 1 : i;
    const minutesAgo = i === 35 ? -90 : ((slot * 7) % 72) * 60 + 30;
    const externalId = i % 6 === 5 ? null : `ext-${i}`;
    return {
      key: `a${i}`,
      source: SOURCES[i % 3],
      externalId,
      fingerprintHex: externalId === null ? sha256Hex(`a${i}`) : null,
      severity: SEVERITIES[(i * 5 + (i >> 2)) % 4],
      status: ALERT_STATUSES[Math.floor(i / 4) % 3],
      origin: i % 7 === 3 ? 'event' : 'upstream',
      description: DESCRIPTIONS[i % DESCRIPTIONS.length],
      createdAt: new Date(now - minutesAgo * MINUTE).toISOString(),
      srcIp: `10.0.0.${i}`,
      dstIp: i % 2 ? '185.220.101.1' : i % 4 === 2 ? `2001:db8::${i}` : null,
      country: COUNTRIES[Math.floor(i / 2) % 3],
      user: USERS[Math.floor(i / 3) % 3],
      enrichmentType: i % 5 === 1 ? 'tor_exit_node' : 'clean',
      assigned: i % 6 === 0,
    };
  });
}

const insertRow = (a: Fixture): AlertInsertRow => [
  a.source,
  a.externalId,
  a.fingerprintHex,
  a.severity,
  a.description,
  a.createdAt,
  a.srcIp,
  a.dstIp,
  a.country,
  a.user,
  a.enrichmentType,
  { errors: [] },
];

/** What the list should select, written as plainly as possible. */
function matches(a: Fixture, f: AlertFilter, now: number): boolean {
  const at = Date.parse(a.createdAt);
  return (
    (f.severities === undefined || f.severities.includes(a.severity)) &&
    (f.status === undefined || a.status === f.status) &&
    (f.source === undefined || a.source === f.source) &&
    (f.country === undefined || a.country === f.country) &&
    (f.user === undefined || a.user === f.user) &&
    (f.ip === undefined || eitherIn([a.srcIp, a.dstIp], f.ip)) &&
    (f.enrichmentType === undefined || a.enrichmentType === f.enrichmentType) &&
    (f.origin === undefined || a.origin === f.origin) &&
    (f.since === undefined || at >= Date.parse(f.since)) &&
    (f.until === undefined || at <= Date.parse(f.until)) &&
    (f.hours === undefined || at >= now - f.hours * HOUR) &&
    (f.text === undefined || a.description.toLowerCase().includes(f.text.toLowerCase()))
  );
}

/** Newest first, the id breaking ties (uuids compare as their lower-case text does). */
const newestFirst =
  <T extends { id: string }>(at: (row: T) => number) =>
  (x: T, y: T) =>
    at(y) - at(x) || (y.id < x.id ? -1 : y.id > x.id ? 1 : 0);

/** Every page of a list, following next_cursor; the ids in the order served. */
async function allPages<R extends { id: string }>(
  paging: PagingOptions,
  params: { sort?: string; limit: number },
  read: (request: PageRequest) => Promise<Page<R>>,
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const request = pageRequest({ ...params, cursor }, paging);
    const page = await read(request);
    pages++;
    expect(page.rows.length).toBeLessThanOrEqual(params.limit);
    ids.push(...page.rows.map((r) => r.id));
    cursor = pageMeta(page, request).next_cursor ?? undefined;
  } while (cursor !== undefined && pages < 100);
  return { ids, pages };
}

describe(AlertStore.name, () => {
  let pool: pg.Pool;
  let db: Database;
  let sut: AlertStore;

  const dbNow = async () => (await db.query<{ now: Date }>('SELECT now() AS now'))[0].now.getTime();
  const countOf = async (sql: string, params: unknown[] = []) =>
    (await db.query<{ n: number }>(sql, params))[0].n;
  const createUser = async (username: string) =>
    (
      await db.query<{ id: string }>(
        `INSERT INTO users (username, password_hash, groups) VALUES ($1, 'x', '{analyst}')
         RETURNING id`,
        [username],
      )
    )[0].id;
  const insertPage = (rows: AlertInsertRow[]) =>
    sut.insertPage<{ n: number }>(db, encodeAlertRows(rows), {
      final: 'SELECT count(*)::int AS n FROM inserted',
      params: [],
    });

  beforeAll(async () => {
    await runMigrations(testDatabaseUrl());
    // One connection: the purge test also checks that its transaction-local setting does not
    // stay on the connection the pool hands out next.
    pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 1 });
    db = new Database(pool);
    sut = new AlertStore(db);
  });
  afterAll(() => pool.end());
  beforeEach(() => resetDatabase());

  describe('list', () => {
    let now: number;
    let stored: Stored[];
    let assignee: string;

    beforeEach(async () => {
      now = await dbNow();
      const set = fixtures(now);
      const [{ n }] = await insertPage(set.map(insertRow));
      expect(n).toBe(set.length);
      assignee = await createUser('alice');
      const ids = await db.query<{ id: string; key: string }>(
        `SELECT id, coalesce(external_id, encode(fingerprint, 'hex')) AS key FROM alerts`,
      );
      const idOf = new Map(ids.map((r) => [r.key, r.id]));
      stored = set.map((a) => ({ ...a, id: idOf.get(a.externalId ?? a.fingerprintHex!)! }));
      // The columns a page insert leaves at their defaults.
      await db.execute(
        `UPDATE alerts a SET status = s.status, origin = s.origin,
           assignee_id = CASE WHEN s.assigned THEN $5::uuid END
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bool[]) AS s(id, status, origin, assigned)
         WHERE a.id = s.id`,
        [
          stored.map((a) => a.id),
          stored.map((a) => a.status),
          stored.map((a) => a.origin),
          stored.map((a) => a.assigned),
          assignee,
        ],
      );
    });

    const expected = (filter: AlertFilter) =>
      stored
        .filter((a) => matches(a, filter, now))
        .sort(newestFirst((a) => Date.parse(a.createdAt)))
        .map((a) => a.id);
    const listed = async (filter: AlertFilter) => {
      const page = await sut.list(filter, pageRequest({ limit: 500 }, ALERT_PAGING));
      expect(page.total).toBe(page.rows.length);
      expect(page.hasMore).toBe(false);
      return page.rows.map((r) => r.id);
    };
    const at = (i: number) => fixtures(now)[i].createdAt;

    it('serves an alert with its columns as ISO text, IPs without a prefix, its assignee', async () => {
      const page = await sut.list({}, pageRequest({ limit: 500 }, ALERT_PAGING), {
        enrichment: true,
      });
      const byId = new Map<string, AlertRow>(page.rows.map((r) => [r.id, r]));
      for (const a of stored) {
        expect(byId.get(a.id)).toMatchObject({
          source: a.source,
          external_id: a.externalId,
          severity: a.severity,
          status: a.status,
          origin: a.origin,
          description: a.description,
          created_at: a.createdAt,
          src_ip: a.srcIp,
          dst_ip: a.dstIp,
          country: a.country,
          user_name: a.user,
          enrichment_type: a.enrichmentType,
          enrichment: { errors: [] },
          assignee_id: a.assigned ? assignee : null,
          assignee_username: a.assigned ? 'alice' : null,
          version: 1,
        });
      }
      // without the option the page reads every column but the enrichment document
      const lean = await sut.list({}, pageRequest({ limit: 500 }, ALERT_PAGING));
      expect(lean.rows.map(({ id }) => id)).toEqual(page.rows.map(({ id }) => id));
      for (const row of lean.rows) expect(row).not.toHaveProperty('enrichment');
    });

    // Each filter alone; every one selects some alerts and leaves some out, so a filter that is
    // ignored, or matched against the wrong column, fails here.
    it.each<[string, (at: (i: number) => string) => AlertFilter]>([
      ['no filter', () => ({})],
      ['one severity', () => ({ severities: ['high'] })],
      ['several severities', () => ({ severities: ['low', 'critical'] })],
      ['status', () => ({ status: 'acknowledged' })],
      ['source', () => ({ source: 'edr' })],
      ['country', () => ({ country: 'DE' })],
      ['user', () => ({ user: 'bob' })],
      ['ip, a network of source addresses', () => ({ ip: '10.0.0.8/29' })],
      ['ip, an address on the destination side', () => ({ ip: '185.220.101.1/32' })],
      ['ip, an IPv6 network', () => ({ ip: '2001:db8::/32' })],
      ['ip, one IPv6 address', () => ({ ip: '2001:db8::6/128' })],
      ['enrichment type', () => ({ enrichmentType: 'tor_exit_node' })],
      ['origin', () => ({ origin: 'event' })],
      ['since, inclusive', (at) => ({ since: at(4) })],
      ['until, inclusive', (at) => ({ until: at(4) })],
      ['since and until, both inclusive', (at) => ({ since: at(20), until: at(2) })],
      ['since and until on a shared instant', (at) => ({ since: at(9), until: at(9) })],
      ['hours', () => ({ hours: 5 })],
      ['text, case-insensitive', () => ({ text: 'bRUTE fORCE' })],
      ['text with a literal %', () => ({ text: '50%' })],
      ['text that is only %', () => ({ text: '%' })],
      ['text with a literal _', () => ({ text: 'user_name' })],
      ['text with a literal \\', () => ({ text: 'C:\\temp' })],
    ])('lists by %s exactly the alerts the filter selects, newest first', async (_, make) => {
      const filter = make(at);
      const want = expected(filter);
      if (Object.keys(filter).length > 0) {
        expect(want.length).toBeGreaterThan(0);
        expect(want.length).toBeLessThan(stored.length);
      }
      expect(await listed(filter)).toEqual(want);
    });

    it('lists by any combination of filters exactly the alerts a plain predicate selects', async () => {
      const instants = [...new Set(stored.map((a) => a.createdAt))];
      const members = {
        severities: fc.subarray([...SEVERITIES], { minLength: 1 }),
        status: fc.constantFrom(...ALERT_STATUSES),
        source: fc.constantFrom(...SOURCES, 'ids'),
        country: fc.constantFrom('DE', 'US', 'FR'),
        user: fc.constantFrom('alice', 'bob', 'carol'),
        ip: fc.constantFrom(
          '10.0.0.0/8',
          '10.0.0.16/28',
          '10.0.0.7/32',
          '185.220.101.0/24',
          '2001:db8::/32',
          '192.168.0.0/16',
        ),
        enrichmentType: fc.constantFrom(...ENRICHMENT_TYPES),
        origin: fc.constantFrom(...ALERT_ORIGINS),
        since: fc.constantFrom(...instants),
        until: fc.constantFrom(...instants),
        hours: fc.constantFrom(...WINDOWS),
        text: fc.constantFrom(...TEXTS),
      };
      // Up to three members at a time: with more, nearly every combination selects nothing.
      const filters = fc
        .uniqueArray(fc.constantFrom(...(Object.keys(members) as Array<keyof typeof members>)), {
          maxLength: 3,
        })
        .chain((keys) =>
          fc.record(Object.fromEntries(keys.map((k) => [k, members[k]]))),
        ) as fc.Arbitrary<AlertFilter>;
      let selecting = 0;
      await fc.assert(
        fc.asyncProperty(filters, async (filter) => {
          const want = expected(filter);
          if (want.length > 0) selecting++;
          expect(await listed(filter)).toEqual(want);
        }),
        { seed: 13, numRuns: 80 },
      );
      // The property says something only if many of its filters select alerts.
      expect(selecting).toBeGreaterThan(30);
    });

    it.each<[string, string, AlertFilter]>([
      ['newest first', '-created_at', {}],
      ['oldest first', 'created_at', {}],
      ['newest first, filtered', '-created_at', { severities: ['high', 'critical'] }],
    ])(
      'pages %s: following next_cursor reads every match once, in order',
      async (_, sort, filter) => {
        const want = expected(filter);
        if (sort === 'created_at') want.reverse();
        const { ids, pages } = await allPages(ALERT_PAGING, { sort, limit: 4 }, (request) =>
          sut.list(filter, request),
        );
        expect(ids).toEqual(want);
        expect(pages).toBe(Math.ceil(want.length / 4));
      },
    );

    it('refuses a cursor made under another sort, naming cursor', async () => {
      const request = pageRequest({ sort: 'created_at', limit: 2 }, ALERT_PAGING);
      const page = await sut.list({}, request);
      const cursor = pageMeta(page, request).next_cursor!;
      expect(cursor).toEqual(expect.any(String));
      // Served under its own sort, it continues; under the default sort it is refused.
      expect(() => pageRequest({ sort: 'created_at', cursor }, ALERT_PAGING)).not.toThrow();
      let refused: unknown;
      try {
        pageRequest({ cursor }, ALERT_PAGING);
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(InvalidInputError);
      expect((refused as InvalidInputError).errors).toEqual([
        { field: 'cursor', message: expect.stringContaining('sort=created_at') },
      ]);
    });
  });

  describe('new alerts', () => {
    const now = Date.parse('2024-05-01T12:00:00.000Z');
    const row = (
      source: string,
      externalId: string | null,
      fingerprintHex: string | null,
      description = 'x',
    ): AlertInsertRow => [
      source,
      externalId,
      fingerprintHex,
      'high',
      description,
      new Date(now).toISOString(),
      null,
      null,
      null,
      null,
      'clean',
      { errors: [] },
    ];

    it('stores a page once per (source, external_id), within the page and across pages', async () => {
      const [{ n }] = await insertPage([
        row('fw', 'e1', null, 'first'),
        row('fw', 'e1', null, 'again in the page'),
        row('edr', 'e1', null, 'same id, other source'),
      ]);
      expect(n).toBe(2);
      expect((await insertPage([row('fw', 'e1', null, 'next page')]))[0].n).toBe(0);
      expect(await db.query('SELECT source, description FROM alerts ORDER BY source')).toEqual([
        { source: 'edr', description: 'same id, other source' },
        { source: 'fw', description: 'first' },
      ]);
    });

    it('keys an alert without an external id by its fingerprint', async () => {
      const print = sha256Hex('p');
      const [{ n }] = await insertPage([
        row('fw', null, print, 'first'),
        row('edr', null, print, 'same print, other source'),
        // The fingerprint keys only alerts without an id.
        row('fw', 'e1', print, 'has an id'),
        row('fw', null, sha256Hex('q'), 'other print'),
      ]);
      expect(n).toBe(3);
      expect((await insertPage([row('waf', null, print)]))[0].n).toBe(0);
      expect(
        await db.query(
          `SELECT description, encode(fingerprint, 'hex') AS fingerprint FROM alerts
           ORDER BY description`,
        ),
      ).toEqual([
        { description: 'first', fingerprint: print },
        { description: 'has an id', fingerprint: print },
        { description: 'other print', fingerprint: sha256Hex('q') },
      ]);
    });

    it("runs the caller's share in the same statement, reading what was inserted", async () => {
      const rows = await sut.insertPage<{ source: string; n: number; tag: string }>(
        db,
        encodeAlertRows([row('fw', 'e1', null), row('fw', 'e2', null), row('edr', 'e1', null)]),
        {
          ctes: `per_source AS (SELECT source, count(*)::int AS n FROM inserted GROUP BY source)`,
          final: 'SELECT source, n, $2::text AS tag FROM per_source ORDER BY source',
          params: ['mine'],
        },
      );
      expect(rows).toEqual([
        { source: 'edr', n: 1, tag: 'mine' },
        { source: 'fw', n: 2, tag: 'mine' },
      ]);
    });

    it('answers the positions of the keys it already holds', async () => {
      await insertPage([
        row('fw', 'e1', null),
        row('fw', null, sha256Hex('p')),
        row('fw', 'e3', sha256Hex('r')),
      ]);
      const known = await sut.knownKeys([
        { source: 'fw', externalId: 'e1', fingerprint: null },
        { source: 'fw', externalId: 'e2', fingerprint: null },
        { source: 'edr', externalId: 'e1', fingerprint: null },
        { source: 'fw', externalId: null, fingerprint: sha256Hex('p') },
        { source: 'fw', externalId: null, fingerprint: sha256Hex('q') },
        // A fingerprint keys only alerts without an id, whatever their source (as the index).
        { source: 'fw', externalId: null, fingerprint: sha256Hex('r') },
        { source: 'edr', externalId: null, fingerprint: sha256Hex('p') },
        { source: 'fw', externalId: null, fingerprint: null },
      ]);
      expect([...known].sort((x, y) => x - y)).toEqual([0, 3, 6]);
      expect(await sut.knownKeys([])).toEqual(new Set());
    });
  });

  describe('events', () => {
    let creator: string;
    beforeEach(async () => {
      creator = await createUser('root');
    });

    const newEvent = (overrides: Partial<NewEvent> = {}): NewEvent => ({
      id: randomUUID(),
      source: 'edr',
      eventType: 'process_injection',
      severity: 'high',
      description: 'Injected into lsass',
      occurredAt: '2024-05-01T12:00:00.123Z',
      srcIp: '10.0.0.5',
      dstIp: '185.220.101.1',
      attributes: { host: 'ws-1' },
      createdBy: creator,
      ...overrides,
    });
    const eventAlert = (event: NewEvent): EventAlert => ({
      fingerprint: createHash('sha256').update(`event:${event.id}`).digest(),
      country: 'US',
      user: 'alice',
      enrichmentType: 'tor_exit_node',
      enrichment: { tor: { dst_listed: true }, errors: [] },
    });
    const store = async (event: NewEvent, raise = true) => {
      const rows = await sut.insertWithEvent<StoredEventRow>(
        db,
        insertEventPart(event),
        raise ? eventAlert(event) : null,
      );
      expect(rows).toHaveLength(1);
      return rows[0];
    };

    describe('insertWithEvent', () => {
      it('stores the event and the open alert it raises, copying the event', async () => {
        const event = newEvent();
        const stored = await store(event);

        expect(stored).toMatchObject({
          id: event.id,
          source: 'edr',
          event_type: 'process_injection',
          severity: 'high',
          description: 'Injected into lsass',
          occurred_at: new Date('2024-05-01T12:00:00.123Z'),
          src_ip: '10.0.0.5',
          dst_ip: '185.220.101.1',
          attributes: { host: 'ws-1' },
          created_by: creator,
          alert_id: expect.any(String),
          alert_status: 'open',
        });
        const alerts = await db.query(
          `SELECT id, source, external_id, encode(fingerprint, 'hex') AS fingerprint, origin,
             severity, status, description, created_at, host(src_ip) AS src_ip,
             host(dst_ip) AS dst_ip, country, user_name, enrichment_type, enrichment, event_id
           FROM alerts`,
        );
        expect(alerts).toEqual([
          {
            id: stored.alert_id,
            source: 'edr',
            external_id: null,
            fingerprint: eventAlert(event).fingerprint.toString('hex'),
            origin: 'event',
            severity: 'high',
            status: 'open',
            description: 'Injected into lsass',
            created_at: new Date('2024-05-01T12:00:00.123Z'),
            src_ip: '10.0.0.5',
            dst_ip: '185.220.101.1',
            country: 'US',
            user_name: 'alice',
            enrichment_type: 'tor_exit_node',
            enrichment: { tor: { dst_listed: true }, errors: [] },
            event_id: event.id,
          },
        ]);
      });

      it('stores an event that raises no alert on its own', async () => {
        const event = newEvent({ severity: 'low', srcIp: null, dstIp: null, attributes: {} });
        const stored = await store(event, false);
        expect(stored).toMatchObject({
          id: event.id,
          severity: 'low',
          src_ip: null,
          dst_ip: null,
          attributes: {},
          alert_id: null,
          alert_status: null,
        });
        expect(await countOf('SELECT count(*)::int AS n FROM events')).toBe(1);
        expect(await countOf('SELECT count(*)::int AS n FROM alerts')).toBe(0);
      });

      it('dates an event without a time, and its alert, at the database clock', async () => {
        const before = await dbNow();
        const stored = await store(newEvent({ occurredAt: null }));
        const after = await dbNow();
        // The statement's own clock: the same instant as the time the event was received.
        expect(stored.occurred_at).toEqual(stored.received_at);
        expect(stored.occurred_at.getTime()).toBeGreaterThanOrEqual(before);
        expect(stored.occurred_at.getTime()).toBeLessThanOrEqual(after);
        const [alert] = await db.query<{ created_at: Date }>('SELECT created_at FROM alerts');
        expect(alert.created_at).toEqual(stored.occurred_at);
      });

      it('stores neither the event nor the alert when the alert is refused', async () => {
        const first = newEvent();
        await store(first);
        // Same dedup key as the first event's alert: the alert violates the unique index.
        const second = newEvent();
        const refused = sut.insertWithEvent(db, insertEventPart(second), eventAlert(first));
        await expect(refused).rejects.toThrow(QueryError);
        await expect(refused).rejects.toMatchObject({ code: '23505' });
        expect(
          await countOf('SELECT count(*)::int AS n FROM events WHERE id = $1', [second.id]),
        ).toBe(0);
        expect(await countOf('SELECT count(*)::int AS n FROM alerts')).toBe(1);
      });
    });

    describe('findById', () => {
      it("reads an event's alert with its assignee and the event embedded", async () => {
        const event = newEvent();
        const { alert_id, received_at } = await store(event);
        const assignee = await createUser('alice');
        await db.execute('UPDATE alerts SET assignee_id = $1 WHERE id = $2', [assignee, alert_id]);

        const found = await sut.findById(alert_id!);

        expect(found).toMatchObject({
          id: alert_id,
          origin: 'event',
          created_at: '2024-05-01T12:00:00.123Z',
          assignee_id: assignee,
          assignee_username: 'alice',
          event_id: event.id,
          event: {
            id: event.id,
            source: 'edr',
            event_type: 'process_injection',
            severity: 'high',
            description: 'Injected into lsass',
            occurred_at: '2024-05-01T12:00:00.123Z',
            received_at: received_at.toISOString(),
            src_ip: '10.0.0.5',
            dst_ip: '185.220.101.1',
            attributes: { host: 'ws-1' },
          },
        });
      });

      it('reads an upstream alert without an event or assignee, and null for an unknown id', async () => {
        await insertPage([
          [
            'fw',
            'e1',
            null,
            'low',
            'x',
            '2024-05-01T12:00:00.000Z',
            '10.1.2.3',
            null,
            null,
            null,
            'clean',
            { errors: [] },
          ],
        ]);
        const [{ id }] = await db.query<{ id: string }>('SELECT id FROM alerts');
        expect(await sut.findById(id)).toMatchObject({
          id,
          src_ip: '10.1.2.3',
          assignee_username: null,
          event: null,
        });
        expect(await sut.findById(randomUUID())).toBeNull();
      });
    });

    // The events list and detail statements (event-sql.ts), as EventsRepository runs them.
    describe('events list and detail SQL', () => {
      const run = <T extends object>(query: SqlQuery) => db.query<T>(query.sql, query.params);
      const list = (filter: EventFilter, request: PageRequest) =>
        fetchKeysetPage<EventRow & { keyset_at: string }>(run, eventPageSpec(filter, request), {
          query: withAlertAndCreator,
        });
      const base = Date.parse('2024-05-01T00:00:00.000Z');
      const EVENT_SOURCES = ['edr', 'ids'];
      const TYPES = ['login_failed', 'process_injection', 'dns'];
      let events: Array<
        Omit<NewEvent, 'createdBy'> & {
          occurredAt: string;
          createdBy: string | null;
          alertId: string | null;
        }
      >;

      beforeEach(async () => {
        // Some events' creators were deleted since (created_by is then null).
        const gone = await createUser('gone');
        events = [];
        for (let i = 0; i < 14; i++) {
          // Events 3 and 4 share their time.
          const slot = i === 4 ? 3 : i;
          const event = newEvent({
            source: EVENT_SOURCES[i % 2],
            eventType: TYPES[i % 3],
            severity: SEVERITIES[(i * 3 + (i >> 2)) % 4],
            occurredAt: new Date(base + ((slot * 5) % 14) * HOUR).toISOString(),
            srcIp: i % 3 ? `10.0.0.${i}` : null,
            // One internal address on the destination side, for the `ip` filter's either side.
            dstIp: i === 7 ? '10.0.0.9' : '185.220.101.1',
            createdBy: i % 4 === 3 ? gone : creator,
          });
          const stored = await store(event, raisesAlert(event.severity));
          events.push({
            ...event,
            occurredAt: event.occurredAt!,
            createdBy: event.createdBy === gone ? null : event.createdBy,
            alertId: stored.alert_id,
          });
        }
        await db.execute('DELETE FROM users WHERE id = $1', [gone]);
      });

      const expected = (f: EventFilter) =>
        events
          .filter(
            (e) =>
              (f.severities === undefined || f.severities.includes(e.severity)) &&
              (f.source === undefined || e.source === f.source) &&
              (f.eventType === undefined || e.eventType === f.eventType) &&
              (f.ip === undefined || eitherIn([e.srcIp, e.dstIp], f.ip)) &&
              (f.since === undefined || Date.parse(e.occurredAt) >= Date.parse(f.since)) &&
              (f.until === undefined || Date.parse(e.occurredAt) <= Date.parse(f.until)),
          )
          .sort(newestFirst((e) => Date.parse(e.occurredAt)))
          .map((e) => e.id);
      const at = (i: number) => new Date(base + ((i * 5) % 14) * HOUR).toISOString();

      it.each<[string, EventFilter]>([
        ['no filter', {}],
        ['one severity', { severities: ['low'] }],
        ['several severities', { severities: ['medium', 'critical'] }],
        ['source', { source: 'ids' }],
        ['event type', { eventType: 'dns' }],
        ['ip, a network of source addresses', { ip: '10.0.0.8/30' }],
        ['ip, a source address', { ip: '10.0.0.5/32' }],
        ['since, inclusive', { since: at(3) }],
        ['until, inclusive', { until: at(3) }],
        ['since and until', { since: at(6), until: at(1) }],
        [
          'source, type and severity',
          { source: 'edr', eventType: 'login_failed', severities: ['low', 'high'] },
        ],
      ])('lists by %s exactly the events the filter selects, newest first', async (_, filter) => {
        const want = expected(filter);
        if (Object.keys(filter).length > 0) {
          expect(want.length).toBeGreaterThan(0);
          expect(want.length).toBeLessThan(events.length);
        }
        const page = await list(filter, pageRequest({ limit: 500 }, EVENT_PAGING));
        expect(page.rows.map((r) => r.id)).toEqual(want);
        expect(page.total).toBe(want.length);
      });

      it('serves each event with its creator and the alert it raised', async () => {
        const page = await list({}, pageRequest({ limit: 500 }, EVENT_PAGING));
        const byId = new Map(page.rows.map((r) => [r.id, r]));
        expect(events.filter((e) => e.alertId).length).toBeGreaterThan(0);
        expect(events.filter((e) => !e.createdBy).length).toBeGreaterThan(0);
        for (const e of events) {
          expect(byId.get(e.id)).toMatchObject({
            occurred_at: new Date(e.occurredAt),
            src_ip: e.srcIp,
            created_by: e.createdBy,
            created_by_username: e.createdBy ? 'root' : null,
            alert_id: e.alertId,
            alert_status: e.alertId ? 'open' : null,
          });
        }
      });

      it.each(['-occurred_at', 'occurred_at'])(
        'pages by %s: following next_cursor reads every event once, in order',
        async (sort) => {
          const want = expected({});
          if (sort === 'occurred_at') want.reverse();
          const { ids } = await allPages(EVENT_PAGING, { sort, limit: 3 }, (request) =>
            list({}, request),
          );
          expect(ids).toEqual(want);
        },
      );

      it('reads one event with its creator and alert, nothing for an unknown id', async () => {
        const e = events.find((x) => x.alertId && x.createdBy)!;
        const [row] = await run<EventRow>(eventByIdQuery(e.id));
        expect(row).toMatchObject({
          id: e.id,
          source: e.source,
          event_type: e.eventType,
          severity: e.severity,
          src_ip: e.srcIp,
          attributes: { host: 'ws-1' },
          created_by_username: 'root',
          alert_id: e.alertId,
          alert_status: 'open',
        });
        expect(await run(eventByIdQuery(randomUUID()))).toEqual([]);
      });
    });
  });

  describe('rollups', () => {
    // What the list's total and the stats read instead of counting alerts: kept by triggers in
    // the statements that write alerts, so after any sequence of writes they equal a recount.
    type Op =
      | { kind: 'insert'; alerts: Array<[number, number, number, number, number, number]> }
      | { kind: 'change'; picks: number[]; status: AlertStatus }
      | { kind: 'purge'; days: number; batch: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        kind: fc.constant('insert' as const),
        // external id (a few repeat: duplicates), severity, source, hours ago, country, tor
        alerts: fc.array(
          fc.tuple(
            fc.nat(60),
            fc.nat(3),
            fc.nat(2),
            fc.integer({ min: -2, max: 90 }),
            fc.nat(2),
            fc.nat(4),
          ),
          { maxLength: 25 },
        ),
      }),
      fc.record({
        kind: fc.constant('change' as const),
        picks: fc.array(fc.nat(), { maxLength: 8 }),
        status: fc.constantFrom(...ALERT_STATUSES),
      }),
      fc.record({
        kind: fc.constant('purge' as const),
        days: fc.integer({ min: 1, max: 4 }),
        batch: fc.integer({ min: 1, max: 20 }),
      }),
    );

    async function run(o: Op, now: number): Promise<void> {
      if (o.kind === 'insert') {
        await insertPage(
          o.alerts.map(([id, severity, source, hoursAgo, country, tor]): AlertInsertRow => [
            SOURCES[source],
            `r-${id}`,
            null,
            SEVERITIES[severity],
            'rolled up',
            new Date(now - hoursAgo * HOUR - id * 1000).toISOString(),
            null,
            null,
            COUNTRIES[country],
            null,
            tor === 0 ? 'tor_exit_node' : 'clean',
            { errors: [] },
          ]),
        );
      } else if (o.kind === 'change') {
        const ids = (await db.query<{ id: string }>('SELECT id FROM alerts ORDER BY id')).map(
          (r) => r.id,
        );
        if (ids.length === 0) return;
        const chosen = [...new Set(o.picks.map((i) => ids[i % ids.length]))];
        await db.transaction(async (tx) => {
          await sut.lockByIds(tx, chosen);
          await sut.apply(
            tx,
            chosen.map((id) => ({
              id,
              status: o.status,
              assigneeId: null,
              resolution: o.status === 'resolved' ? 'benign' : null,
              changes: [],
            })),
            { id: randomUUID(), username: 'root' },
            null,
          );
        });
      } else {
        await db.transaction((tx) => sut.purgeOlderThan(tx, o.days, o.batch));
      }
    }

    /** The rollups as read (slots summed, zeroes left out) and as recounted from the alerts. */
    async function readAndRecount() {
      const totals = await db.query<{ key: string; n: number }>(
        `SELECT concat_ws('|', severity, status, source, origin, enrichment_type) AS key,
           sum(n)::int AS n
         FROM alert_totals GROUP BY 1 HAVING sum(n) <> 0`,
      );
      const hourly = await db.query<{ key: string; n: number; ms: number }>(
        `SELECT concat_ws('|', to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24'), dimension, key)
           AS key, sum(n)::int AS n, sum(ms)::float8 AS ms
         FROM alert_hourly GROUP BY 1 HAVING sum(n) <> 0 OR sum(ms) <> 0`,
      );
      const alerts = await db.query<{
        severity: string;
        status: string;
        source: string;
        origin: string;
        enrichment_type: string;
        country: string | null;
        hour: string;
        ack_ms: number | null;
        res_ms: number | null;
      }>(
        `SELECT severity, status, source, origin, enrichment_type, country,
           to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24') AS hour,
           round(extract(epoch FROM acknowledged_at - ingested_at) * 1000)::float8 AS ack_ms,
           round(extract(epoch FROM resolved_at - ingested_at) * 1000)::float8 AS res_ms
         FROM alerts`,
      );
      const wantTotals = new Map<string, number>();
      const wantHourly = new Map<string, { n: number; ms: number }>();
      const add = (key: string, n: number, ms = 0) => {
        const had = wantHourly.get(key) ?? { n: 0, ms: 0 };
        wantHourly.set(key, { n: had.n + n, ms: had.ms + ms });
      };
      for (const a of alerts) {
        const total = [a.severity, a.status, a.source, a.origin, a.enrichment_type].join('|');
        wantTotals.set(total, (wantTotals.get(total) ?? 0) + 1);
        add(`${a.hour}|severity|${a.severity}`, 1);
        add(`${a.hour}|status|${a.status}`, 1);
        add(`${a.hour}|source|${a.source}`, 1);
        add(`${a.hour}|country|${a.country ?? ''}`, 1);
        add(`${a.hour}|enrichment_type|${a.enrichment_type}`, 1);
        if (a.ack_ms !== null) add(`${a.hour}|acknowledged|`, 1, a.ack_ms);
        if (a.res_ms !== null) add(`${a.hour}|resolved|`, 1, a.res_ms);
      }
      const sorted = <V>(entries: Iterable<[string, V]>) =>
        [...entries].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
      return {
        read: {
          totals: sorted(totals.map((r) => [r.key, r.n])),
          hourly: sorted(hourly.map((r) => [r.key, { n: r.n, ms: r.ms }])),
        },
        recounted: { totals: sorted(wantTotals), hourly: sorted(wantHourly) },
      };
    }

    it('equal a recount of the alerts after any sequence of inserts, changes and purges', async () => {
      let changed = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
          await resetDatabase();
          const now = await dbNow();
          for (const o of ops) await run(o, now);
          const { read, recounted } = await readAndRecount();
          expect(read).toEqual(recounted);
          if (recounted.hourly.some(([key]) => key.includes('|acknowledged|'))) changed++;
        }),
        { seed: 14, numRuns: 40 },
      );
      // The property only says something if changes reached the response-time rows.
      expect(changed).toBeGreaterThan(5);
    });

    it('keeps the first acknowledgement and resolution, and empties with the table', async () => {
      const now = await dbNow();
      await run({ kind: 'insert', alerts: [[1, 2, 0, 1, 0, 1]] }, now);
      const ack = async (status: AlertStatus) => run({ kind: 'change', picks: [0], status }, now);
      const times = async () =>
        (
          await db.query<{ acknowledged_at: Date | null; resolved_at: Date | null }>(
            'SELECT acknowledged_at, resolved_at FROM alerts',
          )
        )[0];
      await ack('acknowledged');
      const first = await times();
      expect(first.acknowledged_at).not.toBeNull();
      expect(first.resolved_at).toBeNull();
      await ack('open');
      await ack('acknowledged');
      await ack('resolved');
      const last = await times();
      expect(last.acknowledged_at).toEqual(first.acknowledged_at);
      expect(last.resolved_at!.getTime()).toBeGreaterThanOrEqual(first.acknowledged_at!.getTime());
      const { read, recounted } = await readAndRecount();
      expect(read).toEqual(recounted);

      await db.execute('TRUNCATE alerts CASCADE');
      expect(await countOf('SELECT count(*)::int AS n FROM alert_totals')).toBe(0);
      expect(await countOf('SELECT count(*)::int AS n FROM alert_hourly')).toBe(0);
    });
  });

  describe('purgeOlderThan', () => {
    it('deletes alerts older than the days given, oldest first up to the batch, with their history', async () => {
      const now = await dbNow();
      const ages = { d10: 10 * DAY, d9: 9 * DAY, d8: 8 * DAY, d6: 6 * DAY, h1: HOUR };
      await insertPage(
        Object.entries(ages).map(([key, age]): AlertInsertRow => [
          'fw',
          key,
          null,
          'low',
          key,
          new Date(now - age).toISOString(),
          null,
          null,
          null,
          null,
          'clean',
          { errors: [] },
        ]),
      );
      await db.execute(
        `INSERT INTO alert_history (alert_id, actor_username, note)
         SELECT id, 'root', 'seen ' || external_id FROM alerts`,
      );
      const left = async () =>
        (
          await db.query<{ key: string; notes: number }>(
            `SELECT a.external_id AS key, count(h.id)::int AS notes
             FROM alerts a LEFT JOIN alert_history h ON h.alert_id = a.id
             GROUP BY a.external_id, a.created_at ORDER BY a.created_at`,
          )
        ).map((r) => `${r.key}:${r.notes}`);

      expect(await db.transaction((tx) => sut.purgeOlderThan(tx, 7, 2))).toBe(2);
      expect(await left()).toEqual(['d8:1', 'd6:1', 'h1:1']);
      expect(await countOf('SELECT count(*)::int AS n FROM alert_history')).toBe(3);

      expect(await db.transaction((tx) => sut.purgeOlderThan(tx, 7, 100))).toBe(1);
      expect(await db.transaction((tx) => sut.purgeOlderThan(tx, 7, 100))).toBe(0);
      expect(await left()).toEqual(['d6:1', 'h1:1']);

      // The purge's permission ended with its transaction, on the connection the pool reuses.
      await expect(db.execute('DELETE FROM alert_history')).rejects.toMatchObject({
        code: '42501',
      });
      expect(await countOf('SELECT count(*)::int AS n FROM alert_history')).toBe(2);
    });
  });
});
