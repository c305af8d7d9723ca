import { findUnstorable, jsonDepth, MAX_BODY_DEPTH } from './validation.pipe.js';

const nested = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = i % 2 ? { a: value } : [value];
  return value;
};

describe(jsonDepth.name, () => {
  it.each([
    ['a scalar', 'x', 0],
    ['null', null, 0],
    ['a flat object', { a: 1, b: 'two' }, 1],
    ['an object holding an array', { a: [1, 2] }, 2],
    ['ten levels', nested(10), 10],
  ])('measures %s', (_, value, depth) => {
    expect(jsonDepth(value)).toBe(depth);
  });

  it('stops counting soon after the limit, so a hostile body costs little', () => {
    const depth = jsonDepth(nested(50_000));
    expect(depth).toBe(MAX_BODY_DEPTH + 1);
  });
});

describe(findUnstorable.name, () => {
  const nul = 'must not contain NUL (U+0000) characters';
  const surrogate = 'must not contain unpaired UTF-16 surrogates';

  it.each([
    ['a plain string', 'alice'],
    ['a paired surrogate (an emoji)', 'alert \u{1F6A8}'],
    ['the six characters of an escaped NUL', 'a literal \\u0000'],
    ['numbers, booleans and null', { a: 1, b: true, c: null, d: [2, 3] }],
    ['other control characters', 'tab\there'],
  ])('lets %s through', (_, value) => {
    expect(findUnstorable(value)).toBeNull();
  });

  it.each([
    ['a NUL in the value itself', '\u0000', '', nul],
    ['a NUL in a field', { username: 'a\u0000b' }, 'username', nul],
    ['a lone high surrogate in a nested field', { a: { b: 'x\ud800' } }, 'a.b', surrogate],
    ['a lone low surrogate in an array item', { ids: ['ok', '\udc00'] }, 'ids.1', surrogate],
  ])('finds %s', (_, value, path, message) => {
    expect(findUnstorable(value)).toEqual({ path, inKey: false, message });
  });

  it('finds a field name holding a NUL and names the object holding it', () => {
    expect(findUnstorable({ attributes: { 'k\u0000': 1 } })).toEqual({
      path: 'attributes',
      inKey: true,
      message: `has a field name that ${nul}`,
    });
  });
});
