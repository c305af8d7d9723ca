import { type RelatedAnchor, relatedKeys, relatedPageSpec } from './related-sql.js';

const anchor = (over: Partial<RelatedAnchor>): RelatedAnchor => ({
  id: '6f1c1c4e-8d7a-4b7e-9a55-0d5c1e0d9b11',
  src_ip: '10.0.0.5',
  dst_ip: '185.220.101.34',
  user_name: 'alice',
  since_at: '2026-12-06T10:00:00.123456Z',
  until_at: '2026-12-08T10:00:00.123456Z',
  since: '2026-12-06T10:00:00.123Z',
  until: '2026-12-08T10:00:00.123Z',
  ...over,
});

describe(relatedKeys.name, () => {
  it('has one group per key the alert has, in the order src_ip, dst_ip, user', () => {
    expect(relatedKeys(anchor({}))).toEqual([
      { shared: 'src_ip', value: '10.0.0.5' },
      { shared: 'dst_ip', value: '185.220.101.34' },
      { shared: 'user', value: 'alice' },
    ]);
  });

  it('leaves out null keys, and the destination when it is the source address', () => {
    expect(relatedKeys(anchor({ src_ip: null, user_name: null }))).toEqual([
      { shared: 'dst_ip', value: '185.220.101.34' },
    ]);
    expect(relatedKeys(anchor({ dst_ip: '10.0.0.5', user_name: null }))).toEqual([
      { shared: 'src_ip', value: '10.0.0.5' },
    ]);
    expect(relatedKeys(anchor({ src_ip: null, dst_ip: null, user_name: null }))).toEqual([]);
  });
});

describe(relatedPageSpec.name, () => {
  it('binds the address as the network of that one address, the window and the alert itself', () => {
    const v4 = relatedPageSpec(anchor({}), { shared: 'dst_ip', value: '185.220.101.34' });
    expect(v4.where.params).toEqual([
      '185.220.101.34/32',
      '2026-12-06T10:00:00.123456Z',
      '2026-12-08T10:00:00.123456Z',
      '6f1c1c4e-8d7a-4b7e-9a55-0d5c1e0d9b11',
    ]);
    const v6 = relatedPageSpec(anchor({}), { shared: 'src_ip', value: '2001:db8::1' });
    expect(v6.where.params[0]).toBe('2001:db8::1/128');
    const user = relatedPageSpec(anchor({}), { shared: 'user', value: 'alice' });
    expect(user.where.params[0]).toBe('alice');
    expect(user.window).toEqual({ limit: 50, offset: 0, after: null });
  });
});
