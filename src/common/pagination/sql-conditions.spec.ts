import { escapeLike, SqlConditions } from './sql-conditions.js';

describe(SqlConditions.name, () => {
  it('is empty, with no WHERE, when no filter is given', () => {
    const sut = new SqlConditions()
      .equals('a.status', undefined)
      .oneOf('a.severity', undefined)
      .oneOf('a.severity', [])
      .since('a.created_at', undefined)
      .until('a.created_at', undefined)
      .withinHours('a.created_at', undefined)
      .contains('a.description', undefined);
    expect(sut.isEmpty).toBe(true);
    expect(sut.toSql()).toBe('');
    expect(sut.params).toEqual([]);
  });

  it('matches either address column inside a network with one parameter', () => {
    const sut = new SqlConditions()
      .anyWithin(['a.src_ip', 'a.dst_ip'], undefined)
      .equals('a.status', 'open')
      .anyWithin(['a.src_ip', 'a.dst_ip'], '10.0.0.0/8');
    expect(sut.toSql()).toBe(
      'WHERE a.status = $1 AND (a.src_ip <<= $2::inet OR a.dst_ip <<= $2::inet)',
    );
    expect(sut.params).toEqual(['open', '10.0.0.0/8']);
    expect(() => new SqlConditions().anyWithin(['a.src_ip; --'], '10.0.0.0/8')).toThrow(
      /not a plain column name/,
    );
  });

  it('binds every value as a numbered parameter, in order', () => {
    const sut = new SqlConditions()
      .equals('a.status', 'open')
      .oneOf('a.severity', ['high', 'critical'])
      .since('a.created_at', '2024-05-01T00:00:00Z')
      .until('a.created_at', '2024-05-02T00:00:00Z')
      .withinHours('a.created_at', 24)
      .contains('a.description', 'scan');
    expect(sut.toSql()).toBe(
      'WHERE a.status = $1 AND a.severity = ANY($2) AND a.created_at >= $3::timestamptz' +
        ' AND a.created_at <= $4::timestamptz' +
        ' AND a.created_at >= now() - make_interval(hours => $5::int)' +
        ' AND a.description ILIKE $6',
    );
    expect(sut.params).toEqual([
      'open',
      ['high', 'critical'],
      '2024-05-01T00:00:00Z',
      '2024-05-02T00:00:00Z',
      24,
      '%scan%',
    ]);
  });

  it('uses plain equality for a one-value list (the simplest plan)', () => {
    const sut = new SqlConditions().oneOf('a.severity', ['high']);
    expect(sut.toSql()).toBe('WHERE a.severity = $1');
    expect(sut.params).toEqual(['high']);
  });

  it('never puts a value into the SQL text', () => {
    const evil = "x' OR '1'='1";
    const sut = new SqlConditions().equals('a.source', evil).contains('a.description', evil);
    expect(sut.toSql()).not.toContain(evil);
    expect(sut.params).toEqual([evil, `%${evil}%`]);
  });

  it('refuses a column that is not a plain identifier', () => {
    expect(() => new SqlConditions().equals('a.source; DROP TABLE alerts', 'x')).toThrow();
    expect(() => new SqlConditions().equals('"A"', 'x')).toThrow();
  });

  it('clones independently', () => {
    const sut = new SqlConditions().equals('a.status', 'open');
    const copy = sut.clone();
    copy.add(`a.id = ${copy.param('x')}`);
    expect(sut.toSql()).toBe('WHERE a.status = $1');
    expect(sut.params).toEqual(['open']);
    expect(copy.toSql()).toBe('WHERE a.status = $1 AND a.id = $2');
  });
});

describe(escapeLike.name, () => {
  it.each([
    ['plain', 'plain'],
    ['50%', '50\\%'],
    ['a_b', 'a\\_b'],
    ['back\\slash', 'back\\\\slash'],
    ['%_\\', '\\%\\_\\\\'],
  ])('escapes %j as %j', (text, escaped) => {
    expect(escapeLike(text)).toBe(escaped);
  });
});
