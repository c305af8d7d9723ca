// The raw baseline of the API benchmark: bare Fastify and a pg pool of the service's size, in
// its own process like the service (so neither shares an event loop with autocannon). No auth,
// validation, logging or mapping: what is left is the database work and JSON.
//
//   GET  /api/alerts   runs the statements in BASELINE_LIST_STATEMENTS one after the other (the
//                      bench records them from the service's own repository), returns the page's
//                      rows and the count.
//   POST /api/events   the create-event writes in one transaction: the event, then its alert
//                      with an enrichment document of the size ingestion writes.
import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';

export interface BaselineSettings {
  databaseUrl: string;
  port: number;
  poolSize: number;
  /** The page statement first, then (when the service runs one) the count. */
  listStatements: Array<{ sql: string; params: unknown[] }>;
  listLimit: number;
  /** The user events are recorded as created by. */
  createdBy: string;
}

export function baselineEnvironment(settings: BaselineSettings): Record<string, string> {
  return { BASELINE_SETTINGS: JSON.stringify(settings) };
}

interface EventBody {
  source: string;
  event_type: string;
  severity: string;
  description: string;
  occurred_at?: string;
  src_ip?: string;
  dst_ip?: string;
  attributes?: Record<string, unknown>;
}

const INSERT_EVENT = `INSERT INTO events (source, event_type, severity, description, occurred_at,
  src_ip, dst_ip, attributes, created_by)
VALUES ($1, $2, $3, $4, COALESCE($5::timestamptz, now()), $6, $7, $8, $9)
RETURNING id, source, event_type, severity, description, occurred_at, received_at,
  host(src_ip) AS src_ip, host(dst_ip) AS dst_ip, attributes, created_by`;

const INSERT_ALERT = `INSERT INTO alerts (source, fingerprint, origin, severity, description,
  created_at, src_ip, dst_ip, country, user_name, enrichment_type, enrichment, event_id)
VALUES ($1, $2, 'event', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
RETURNING id, status`;

/** What the geo, tor and context plugins would write for these addresses (~550 bytes). */
function enrichmentFor(event: EventBody) {
  return {
    geo: {
      src: event.src_ip ? { ip: event.src_ip, scope: 'private' } : null,
      dst: event.dst_ip
        ? {
            ip: event.dst_ip,
            scope: 'public',
            country_code: 'DE',
            region: 'Land Berlin',
            city: 'Berlin',
            latitude: 52.5244,
            longitude: 13.4105,
            timezone: 'Europe/Berlin',
          }
        : null,
      database: 'DB-IP City Lite 2026-06-05',
    },
    tor: { src_listed: false, dst_listed: true, list_updated_at: '2026-06-05T00:00:00.000Z' },
    context: {
      user: 'user7',
      user_network: '10.1.0.0/16',
      matched_on: 'src_ip',
      asset: { owner_team: 'secops-1', criticality: 'high' },
    },
    errors: [],
  };
}

/** The baseline's routes over `pool` (exported to measure it in-process too). */
export function baselineApp(settings: BaselineSettings, pool: pg.Pool) {
  const app = Fastify({ logger: false });
  const [page, ...more] = settings.listStatements;

  app.get('/health/ready', () => ({ status: 'ok' }));

  app.get('/api/alerts', async () => {
    const { rows } = await pool.query(page.sql, page.params);
    let total: number | undefined;
    for (const statement of more) {
      const counted = await pool.query<{ n: number }>(statement.sql, statement.params);
      total = counted.rows[0].n;
    }
    return { alerts: rows.slice(0, settings.listLimit), total };
  });

  app.post<{ Body: EventBody }>('/api/events', async (request, reply) => {
    const body = request.body;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const {
        rows: [event],
      } = await client.query(INSERT_EVENT, [
        body.source,
        body.event_type,
        body.severity,
        body.description,
        body.occurred_at ?? null,
        body.src_ip ?? null,
        body.dst_ip ?? null,
        body.attributes ?? {},
        settings.createdBy,
      ]);
      const {
        rows: [alert],
      } = await client.query(INSERT_ALERT, [
        body.source,
        createHash('sha256').update(`event:${event.id}`).digest(),
        body.severity,
        body.description,
        event.occurred_at,
        body.src_ip ?? null,
        body.dst_ip ?? null,
        'DE',
        'user7',
        'tor_exit_node',
        enrichmentFor(body),
        event.id,
      ]);
      await client.query('COMMIT');
      return reply.code(201).send({ ...event, alert });
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  });

  return app;
}

export async function serveBaseline(settings: BaselineSettings): Promise<void> {
  const pool = new pg.Pool({ connectionString: settings.databaseUrl, max: settings.poolSize });
  const app = baselineApp(settings, pool);
  await app.listen({ port: settings.port, host: '127.0.0.1' });
  const stop = () => void app.close().then(() => pool.end());
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await serveBaseline(JSON.parse(process.env.BASELINE_SETTINGS ?? '') as BaselineSettings);
}
