// What a page may cost once parsed. UPSTREAM_MAX_PAGE_BYTES bounds the text, but not the heap:
// JSON.parse turns `{},{},…` into some 64 bytes of heap per three bytes of text (measured on
// Node 20: 8 MiB of empty objects took 178 MB), so a page under the byte limit could still
// exhaust the heap. Before a large page is parsed, its JSON values are counted (a single pass over
// the text that skips strings) and a page with more than MAX_PAGE_VALUES fails its attempt.
// Parsed, a value costs 10–65 bytes of heap, so a page that passes costs at most ~64 MB, whatever
// its shape. Pages up to LARGE_PAGE_CHARS are not counted: they cannot cost more than ~22 MB.

/** Above this many characters a page's values are counted, and it is not pipelined. */
export const LARGE_PAGE_CHARS = 1_048_576;

/** The most JSON values (objects, arrays, scalars) one page may hold. */
export const MAX_PAGE_VALUES = 1_000_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/**
 * The JSON values in `text`, as an upper estimate for valid JSON: each `[`, `{` and `,` outside a
 * string starts at most one value (an empty container counts twice, a member's key not at all).
 * Stops as soon as the count passes `stopAbove`. Malformed text is left to JSON.parse, which says
 * what is wrong.
 */
export function countJsonValues(text: string, stopAbove = MAX_PAGE_VALUES): number {
  let values = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET || c === COMMA) {
      if (++values > stopAbove) return values;
    }
  }
  return values;
}
