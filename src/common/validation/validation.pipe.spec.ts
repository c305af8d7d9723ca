import { jsonDepth, MAX_BODY_DEPTH } from './validation.pipe.js';

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
