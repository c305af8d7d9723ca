import fc from 'fast-check';
import { countJsonValues, MAX_PAGE_VALUES } from './page-budget.js';

/** Values in a parsed JSON value: itself, and every element and member value below it. */
function valuesIn(value: unknown): number {
  let count = 0;
  const stack = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    count++;
    if (node !== null && typeof node === 'object') stack.push(...Object.values(node));
  }
  return count;
}

describe(countJsonValues.name, () => {
  it('never counts fewer values than a page holds, nor more than twice as many', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        const actual = valuesIn(value);
        const counted = countJsonValues(text, Infinity);
        expect(counted).toBeGreaterThanOrEqual(actual);
        expect(counted).toBeLessThanOrEqual(2 * actual);
      }),
      { numRuns: 500 },
    );
  });

  it('skips commas, brackets and escaped quotes inside strings', () => {
    expect(countJsonValues(JSON.stringify({ a: '[{,\\",}]' }))).toBe(2);
    expect(countJsonValues('[1,2,3]')).toBe(4);
  });

  it('stops counting as soon as the budget is passed', () => {
    const text = `[${'{},'.repeat(5_000_000)}{}]`;
    expect(countJsonValues(text)).toBe(MAX_PAGE_VALUES + 1);
  });
});
