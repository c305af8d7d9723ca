import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IpQuery, parseIpFilter } from './ip-query.js';

describe(parseIpFilter.name, () => {
  it.each([
    ['185.220.101.34', '185.220.101.34/32'],
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['192.168.1.0/24', '192.168.1.0/24'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['2001:db8:0:0:0:0:0:1', '2001:db8::1/128'],
    ['::/0', '::/0'],
    ['::ffff:10.0.0.1', '::ffff:10.0.0.1/128'],
  ])('accepts %j as the network %s', (text, network) => {
    expect(parseIpFilter(text)).toEqual({ ok: true, network });
  });

  it.each([
    ['10.1.0.0/8', /host bits set \(did you mean 10\.0\.0\.0\/8\?\)/],
    ['2001:db8::1/32', /host bits set \(did you mean 2001:db8::\/32\?\)/],
    ['10.0.0.0/33', /prefix length between 0 and 32/],
    ['2001:db8::/129', /prefix length between 0 and 128/],
    ['10.0.0.0/08', /address or network/],
    ['10.0.0.0/', /address or network/],
    ['10/8', /address or network/],
    ['10.0.0', /address or network/],
    ['256.0.0.1', /address or network/],
    ['010.0.0.1', /address or network/],
    [' 10.0.0.1', /address or network/],
    ['10.0.0.1 ', /address or network/],
    ['fe80::1%eth0', /address or network/],
    ['[2001:db8::1]', /address or network/],
    ['2001:db8:::1', /address or network/],
    ['', /address or network/],
    ['alice', /address or network/],
    ['1.2.3.4/32/1', /address or network/],
    [`${'1'.repeat(60)}`, /address or network/],
  ])('refuses %j', (text, reason) => {
    const sut = parseIpFilter(text);
    expect(sut.ok).toBe(false);
    expect(sut.ok ? '' : sut.reason).toMatch(reason);
  });
});

describe(IpQuery.name, () => {
  class Query {
    @IpQuery('alerts')
    ip?: string;
  }
  const check = (plain: Record<string, unknown>) => {
    const query = plainToInstance(Query, plain);
    const messages = validateSync(query).flatMap((e) => Object.values(e.constraints ?? {}));
    return { ip: query.ip, messages };
  };

  it('turns a valid value into its canonical network', () => {
    expect(check({ ip: '2001:DB8::/32' })).toEqual({ ip: '2001:db8::/32', messages: [] });
    expect(check({ ip: '185.220.101.34' })).toEqual({ ip: '185.220.101.34/32', messages: [] });
  });

  it('leaves an absent value alone', () => {
    expect(check({})).toEqual({ ip: undefined, messages: [] });
  });

  it('names the parameter and the rule it breaks', () => {
    expect(check({ ip: '10.1.0.0/8' }).messages).toEqual([
      'ip has host bits set (did you mean 10.0.0.0/8?)',
    ]);
    expect(check({ ip: ['10.0.0.1', '10.0.0.2'] }).messages).toEqual(['ip must be given once']);
    expect(check({ ip: null }).messages).toEqual(['ip must be a string']);
  });
});
