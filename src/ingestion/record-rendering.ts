// A quarantined record as the service can store and show it, whatever the upstream put in it.
// JSON.stringify recurses (a record nested 10,000 levels deep overflows the stack), and jsonb
// refuses NUL (\u0000), unpaired surrogates and deep nesting, so the raw record is kept as the
// JSON text JSON.stringify would write, produced without recursion, cut at a bound, with the
// size and SHA-256 of the whole text. The text is escaped JSON, so it holds no NUL and no lone
// surrogate: PostgreSQL's text type takes it as it is.
import { createHash } from 'node:crypto';

/** Characters of a quarantined record's text kept for people to read. */
export const QUARANTINE_TEXT_MAX = 16_384;

export interface RecordRendering {
  /** The record as JSON text, exactly JSON.stringify's, cut after `maxChars` characters. */
  text: string;
  /** UTF-8 bytes of the whole text. */
  bytes: number;
  truncated: boolean;
  /** SHA-256 of the whole text: the quarantine's dedup key (what hashing JSON.stringify gave). */
  sha256: Buffer;
}

type Frame =
  | { array: readonly unknown[]; next: number }
  | { object: Record<string, unknown>; keys: string[]; next: number };

/** Flushed to the hash in pieces of about this many characters, always between whole tokens. */
const FLUSH_AT = 65_536;

/** Renders `value` (anything JSON.parse returns) iteratively; see the file header. */
export function renderRecord(value: unknown, maxChars = QUARANTINE_TEXT_MAX): RecordRendering {
  const hash = createHash('sha256');
  let pending = '';
  let text = '';
  let truncated = false;
  let bytes = 0;

  // Tokens are whole JSON.stringify results, so a surrogate pair never straddles two flushes.
  const flush = () => {
    if (!pending) return;
    bytes += Buffer.byteLength(pending);
    hash.update(pending);
    if (!truncated) {
      const room = maxChars - text.length;
      if (pending.length <= room) text += pending;
      else {
        // Never end on the first half of a pair: the text would not be valid UTF-16.
        const code = pending.charCodeAt(room - 1);
        text += pending.slice(0, code >= 0xd800 && code <= 0xdbff ? room - 1 : room);
        truncated = true;
      }
    }
    pending = '';
  };
  const emit = (token: string) => {
    pending += token;
    if (pending.length >= FLUSH_AT) flush();
  };
  const open = (item: unknown, stack: Frame[]) => {
    if (Array.isArray(item)) {
      emit('[');
      stack.push({ array: item, next: 0 });
    } else if (typeof item === 'object' && item !== null) {
      emit('{');
      stack.push({ object: item as Record<string, unknown>, keys: Object.keys(item), next: 0 });
    } else {
      // JSON.parse yields no undefined, functions or non-finite numbers; stringify's own
      // rendering of a scalar is the exact text either way.
      emit(JSON.stringify(item) ?? 'null');
    }
  };

  const stack: Frame[] = [];
  open(value, stack);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if ('array' in frame) {
      if (frame.next === frame.array.length) {
        emit(']');
        stack.pop();
        continue;
      }
      if (frame.next > 0) emit(',');
      open(frame.array[frame.next++], stack);
    } else {
      if (frame.next === frame.keys.length) {
        emit('}');
        stack.pop();
        continue;
      }
      const key = frame.keys[frame.next++];
      emit(`${frame.next > 1 ? ',' : ''}${JSON.stringify(key)}:`);
      open(frame.object[key], stack);
    }
  }
  flush();
  return { text, bytes, truncated, sha256: hash.digest() };
}
