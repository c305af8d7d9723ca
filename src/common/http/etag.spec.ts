import { etagOf, ifMatchAllows } from './etag.js';

describe('ETags of versioned resources', () => {
  it('renders a version as a strong entity tag', () => {
    expect(etagOf(7)).toBe('"7"');
  });

  it.each([
    ['"3"', 3, true],
    ['"3"', 4, false],
    ['*', 9, true],
    ['"1", "3" ,"5"', 3, true],
    ['"1", "5"', 3, false],
    ['W/"3"', 3, false],
    ['3', 3, false],
    ['', 3, false],
  ])('If-Match %j against version %d → %s', (header, version, allowed) => {
    expect(ifMatchAllows(header, version)).toBe(allowed);
  });
});
