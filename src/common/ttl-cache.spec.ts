import { jest } from '@jest/globals';
import { TtlCache } from './ttl-cache.js';

describe(TtlCache.name, () => {
  afterEach(() => jest.useRealTimers());

  it('loads a key once per ttl', async () => {
    jest.useFakeTimers({ now: 0 });
    const sut = new TtlCache<number>(1000);
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    expect(await sut.get('a', load)).toBe(1);
    jest.setSystemTime(999);
    expect(await sut.get('a', load)).toBe(1);
    jest.setSystemTime(1000);
    expect(await sut.get('a', load)).toBe(2);
  });

  it('caches nothing with a ttl of 0', async () => {
    const sut = new TtlCache<number>(0);
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    await sut.get('a', load);
    expect(await sut.get('a', load)).toBe(2);
  });

  it('forgets what it is told to', async () => {
    const sut = new TtlCache<string>(60_000);
    await sut.get('u1/s1', () => Promise.resolve('x'));
    await sut.get('u2/s1', () => Promise.resolve('y'));
    sut.deleteWhere((key) => key.startsWith('u1/'));
    sut.delete('u2/s1');
    expect(await sut.get('u1/s1', () => Promise.resolve('x2'))).toBe('x2');
    expect(await sut.get('u2/s1', () => Promise.resolve('y2'))).toBe('y2');
  });
});
