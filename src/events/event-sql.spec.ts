import { encodeCursor } from '../common/pagination/cursor.js';
import { pageRequest } from '../common/pagination/page-request.js';
import {
  EVENT_PAGING,
  eventByIdQuery,
  eventConditions,
  eventPageSpec,
  insertEventQuery,
  type NewEvent,
  type NewEventAlert,
  raisesAlert,
  withAlertAndCreator,
} from './event-sql.js';

const ID = '0b7e7c1e-6a4f-4e8e-9a53-0f8a3f0e2b11';
const USER = '5d0f3c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6';
const AT = '2024-05-01T12:00:00.123456Z';

const event: NewEvent = {
  id: ID,
  source: 'edr',
  eventType: 'process_injection',
  severity: 'high',
  description: 'Injected into lsass',
  occurredAt: '2024-05-01T12:00:00Z',
  srcIp: '10.0.0.5',
  dstIp: null,
  attributes: { host: 'ws-1' },
  createdBy: USER,
};
const alert: NewEventAlert = {
  fingerprint: Buffer.from('ab01', 'hex'),
  country: 'DE',
  user: 'alice',
  enrichmentType: 'clean',
  enrichment: { geo: null, errors: [] },
};

describe('event SQL', () => {
  it('raises alerts for high and critical events only', () => {
    expect(['low', 'medium', 'high', 'critical'].filter((s) => raisesAlert(s as never))).toEqual([
      'high',
      'critical',
    ]);
  });

  describe(insertEventQuery.name, () => {
    it('stores the event and its alert in one statement, the alert copying the event row', () => {
      const { sql, params } = insertEventQuery(event, alert);

      expect(sql).toMatch(/^WITH e AS \(\s*INSERT INTO events /);
      expect(sql).toMatch(/\), a AS \(\s*INSERT INTO alerts /);
      expect(sql.match(/INSERT INTO/g)).toHaveLength(2);
      expect(sql).not.toMatch(/BEGIN|COMMIT/);
      expect(sql).toContain("FROM e WHERE e.severity IN ('high', 'critical')");
      expect(sql).toContain(
        "SELECT e.source, NULL, decode($11, 'hex'), 'event', e.severity, 'open', e.description," +
          '\n         e.occurred_at, e.src_ip, e.dst_ip, $12, $13, $14, $15::jsonb, e.id',
      );
      expect(sql).toContain('coalesce($6::timestamptz, now())');
      expect(sql).toMatch(
        /a\.id AS alert_id, a\.status AS alert_status FROM e LEFT JOIN a ON true$/,
      );
      expect(params).toEqual([
        ID,
        'edr',
        'process_injection',
        'high',
        'Injected into lsass',
        '2024-05-01T12:00:00Z',
        '10.0.0.5',
        null,
        '{"host":"ws-1"}',
        USER,
        'ab01',
        'DE',
        'alice',
        'clean',
        '{"geo":null,"errors":[]}',
      ]);
    });

    it('binds nulls for the alert of an event that raises none, and null for a default time', () => {
      const { sql, params } = insertEventQuery(
        { ...event, severity: 'low', occurredAt: null, attributes: {} },
        null,
      );
      expect(sql).toBe(insertEventQuery(event, alert).sql);
      expect(params.slice(5, 6)).toEqual([null]);
      expect(params[8]).toBe('{}');
      expect(params.slice(10)).toEqual([null, null, null, null, null]);
    });
  });

  it('maps every filter to its column', () => {
    const sut = eventConditions({
      severities: ['high', 'critical'],
      source: 'edr',
      eventType: 'login_failed',
      since: '2024-05-01T00:00:00Z',
      until: '2024-05-02T00:00:00Z',
    });
    expect(sut.toSql()).toBe(
      'WHERE e.severity = ANY($1) AND e.source = $2 AND e.event_type = $3' +
        ' AND e.occurred_at >= $4::timestamptz AND e.occurred_at <= $5::timestamptz',
    );
    expect(sut.params).toEqual([
      ['high', 'critical'],
      'edr',
      'login_failed',
      '2024-05-01T00:00:00Z',
      '2024-05-02T00:00:00Z',
    ]);
  });

  it('reads a page newest first, joining creators and alerts after the limit', () => {
    const request = pageRequest({ limit: 20 }, EVENT_PAGING);
    const { sql, params } = withAlertAndCreator(eventPageSpec({ severities: ['low'] }, request));
    expect(sql).toMatch(
      /^SELECT p\.\*, u\.username AS created_by_username, al\.id AS alert_id, al\.status AS alert_status FROM \(SELECT e\.id, .* FROM events e WHERE e\.severity = \$1 ORDER BY e\.occurred_at DESC, e\.id DESC LIMIT \$2\) p LEFT JOIN users u ON u\.id = p\.created_by LEFT JOIN alerts al ON al\.event_id = p\.id ORDER BY p\.occurred_at DESC, p\.id DESC$/s,
    );
    expect(sql).toContain('host(e.src_ip) AS src_ip');
    expect(params).toEqual(['low', 21]);
  });

  it('continues from a cursor under the sort it was made with', () => {
    const cursor = encodeCursor('occurred_at', { at: AT, id: ID });
    const request = pageRequest({ sort: 'occurred_at', cursor }, EVENT_PAGING);
    const { sql, params } = withAlertAndCreator(eventPageSpec({}, request));
    expect(sql).toContain('WHERE (e.occurred_at, e.id) > ($1::timestamptz, $2::uuid)');
    expect(sql).toContain('ORDER BY e.occurred_at ASC, e.id ASC');
    expect(params).toEqual([AT, ID, 101]);
  });

  it('reads one event with its creator and alert', () => {
    const { sql, params } = eventByIdQuery(ID);
    expect(sql).toMatch(
      /LEFT JOIN users u ON u\.id = e\.created_by LEFT JOIN alerts al ON al\.event_id = e\.id WHERE e\.id = \$1$/,
    );
    expect(params).toEqual([ID]);
  });
});
