import { pathBefore } from './edge-problems.js';

describe(pathBefore.name, () => {
  const undecodable = (s: string) => {
    try {
      decodeURIComponent(s);
      return false;
    } catch {
      return true;
    }
  };

  it.each([
    ['/%ff', '/'],
    ['/api/alerts/%ff%fe', '/api/alerts/'],
    ['/api/alerts/%ff/notes?x=%ff', '/api/alerts/'],
    ['/api/%zz/alerts', '/api/'],
  ])('keeps %s up to its first bad segment: %s', (url, expected) => {
    expect(pathBefore(url, undecodable)).toBe(expected);
  });

  it('is / when no segment is bad (nothing to locate the problem by)', () => {
    expect(pathBefore('/api/alerts', undecodable)).toBe('/');
  });

  it('cuts at an over-long segment', () => {
    expect(pathBefore(`/api/alerts/${'q'.repeat(300)}/notes`, (s) => s.length > 100)).toBe(
      '/api/alerts/',
    );
  });
});
