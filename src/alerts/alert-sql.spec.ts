import { pageRequest } from '../common/pagination/page-request.js';
import { encodeCursor } from '../common/pagination/cursor.js';
import { InvalidInputError } from '../common/problem/domain-error.js';
import {
  ALERT_PAGING,
  alertByIdQuery,
  alertConditions,
  alertPageSpec,
  withAssignee,
} from './alert-sql.js';

const ID = '0b7e7c1e-6a4f-4e8e-9a53-0f8a3f0e2b11';
const AT = '2024-05-01T12:00:00.123456Z';

describe('alert list SQL', () => {
  it('maps every filter to its column', () => {
    const sut = alertConditions({
      severities: ['high', 'critical'],
      status: 'open',
      source: 'firewall',
      country: 'DE',
      user: 'alice',
      enrichmentType: 'tor_exit_node',
      origin: 'event',
      since: '2024-05-01T00:00:00Z',
      until: '2024-05-02T00:00:00Z',
      hours: 24,
      text: '50%_off',
    });
    expect(sut.toSql()).toBe(
      'WHERE a.severity = ANY($1) AND a.status = $2 AND a.source = $3 AND a.country = $4' +
        ' AND a.user_name = $5 AND a.enrichment_type = $6 AND a.origin = $7' +
        ' AND a.created_at >= $8::timestamptz AND a.created_at <= $9::timestamptz' +
        ' AND a.created_at >= now() - make_interval(hours => $10::int)' +
        ' AND a.description ILIKE $11',
    );
    expect(sut.params).toEqual([
      ['high', 'critical'],
      'open',
      'firewall',
      'DE',
      'alice',
      'tor_exit_node',
      'event',
      '2024-05-01T00:00:00Z',
      '2024-05-02T00:00:00Z',
      24,
      '%50\\%\\_off%',
    ]);
  });

  it('reads a severity page newest first, joining assignees and formatting after the limit', () => {
    const request = pageRequest({ limit: 50 }, ALERT_PAGING);
    const { sql, params } = withAssignee(alertPageSpec({ severities: ['high'] }, request));
    expect(sql).toMatch(
      /^SELECT p\.id, .* p\.keyset_at, u\.username AS assignee_username FROM \(SELECT a\.\*, .* FROM alerts a WHERE a\.severity = \$1 ORDER BY a\.created_at DESC, a\.id DESC LIMIT \$2\) p LEFT JOIN users u ON u\.id = p\.assignee_id ORDER BY p\.created_at DESC, p\.id DESC$/s,
    );
    // Times leave as ISO text, IPs without a prefix length; the sort stays on the timestamps.
    expect(sql).toContain(
      `to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at`,
    );
    expect(sql).toContain('host(p.src_ip) AS src_ip');
    expect(params).toEqual(['high', 51]);
  });

  it('continues from a cursor under the sort it was made with', () => {
    const cursor = encodeCursor('created_at', { at: AT, id: ID });
    const request = pageRequest({ sort: 'created_at', cursor }, ALERT_PAGING);
    expect(request).toEqual({
      sort: 'created_at',
      column: 'created_at',
      direction: 'asc',
      window: { limit: 100, offset: 0, after: { at: AT, id: ID } },
    });
    const { sql, params } = withAssignee(alertPageSpec({}, request));
    expect(sql).toContain('WHERE (a.created_at, a.id) > ($1::timestamptz, $2::uuid)');
    expect(sql).toContain('ORDER BY a.created_at ASC, a.id ASC');
    expect(params).toEqual([AT, ID, 101]);
  });

  it('turns a cursor of another sort into a validation error naming cursor', () => {
    const cursor = encodeCursor('created_at', { at: AT, id: ID });
    expect(() => pageRequest({ cursor }, ALERT_PAGING)).toThrow(InvalidInputError);
    try {
      pageRequest({ cursor }, ALERT_PAGING);
    } catch (error) {
      expect((error as InvalidInputError).errors).toEqual([
        { field: 'cursor', message: expect.stringContaining('sort=created_at') },
      ]);
    }
  });

  it('reads one alert by id with its assignee and its event', () => {
    const { sql, params } = alertByIdQuery(ID);
    expect(sql).toMatch(
      /LEFT JOIN users u ON u\.id = a\.assignee_id LEFT JOIN events e ON e\.id = a\.event_id WHERE a\.id = \$1$/,
    );
    expect(params).toEqual([ID]);
  });
});
