import { createHash } from 'node:crypto';
import { decodeCursor, decodeCursorFor, encodeCursor, InvalidCursorError } from './cursor.js';

const POSITION = { at: '2024-05-01T12:00:00.123456Z', id: '0b7e7c1e-6a4f-4e8e-9a53-0f8a3f0e2b11' };

function reencoded(mutate: (parts: unknown[]) => void): string {
  const [payload, tag] = encodeCursor('-created_at', POSITION).split('.');
  const parts = JSON.parse(Buffer.from(payload, 'base64url').toString()) as unknown[];
  mutate(parts);
  return `${Buffer.from(JSON.stringify(parts)).toString('base64url')}.${tag}`;
}

describe('keyset cursors', () => {
  it('round-trips the sort and the exact position', () => {
    const sut = encodeCursor('-created_at', POSITION);
    expect(decodeCursor(sut)).toEqual({ sort: '-created_at', ...POSITION });
    expect(decodeCursorFor(sut, '-created_at')).toEqual(POSITION);
  });

  it('is opaque and URL-safe', () => {
    const sut = encodeCursor('created_at', POSITION);
    expect(sut).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sut).not.toContain(POSITION.id);
  });

  it('refuses a cursor produced under another sort, naming that sort', () => {
    const sut = encodeCursor('created_at', POSITION);
    expect(() => decodeCursorFor(sut, '-created_at')).toThrow(/sort=created_at/);
  });

  it.each<[string, () => string]>([
    ['an empty string', () => ''],
    ['random text', () => 'not-a-cursor'],
    ['a payload without its tag', () => encodeCursor('-created_at', POSITION).split('.')[0]],
    [
      'a changed tag',
      () => encodeCursor('-created_at', POSITION).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    ],
    ['an extra segment', () => `${encodeCursor('-created_at', POSITION)}.x`],
    [
      'a changed id under the old tag',
      () => reencoded((p) => (p[3] = '1b7e7c1e-6a4f-4e8e-9a53-0f8a3f0e2b11')),
    ],
    ['a changed sort under the old tag', () => reencoded((p) => (p[1] = 'created_at'))],
    ['something very long', () => 'a'.repeat(300)],
  ])('refuses %s', (_, cursor) => {
    expect(() => decodeCursor(cursor())).toThrow(InvalidCursorError);
  });

  it.each<[string, unknown[]]>([
    ['a non-timestamp position', ['v1', '-created_at', 'yesterday', POSITION.id]],
    ['an impossible date', ['v1', '-created_at', '2024-02-30T00:00:00.000000Z', POSITION.id]],
    ['year zero', ['v1', '-created_at', '0000-01-01T00:00:00.000000Z', POSITION.id]],
    ['a non-uuid id', ['v1', '-created_at', POSITION.at, "x' OR 1=1 --"]],
    ['another version', ['v2', '-created_at', POSITION.at, POSITION.id]],
    ['a non-string member', ['v1', '-created_at', POSITION.at, 42]],
    ['a sort that is not a column name', ['v1', '-created_at; DROP', POSITION.at, POSITION.id]],
  ])('refuses %s even with a matching tag', (_, parts) => {
    // A tag computed the same way encodeCursor does: the decoder must not trust the content.
    const payload = Buffer.from(JSON.stringify(parts)).toString('base64url');
    const tag = createHash('sha256')
      .update(`vigil-cursor:v1:${payload}`)
      .digest()
      .subarray(0, 12)
      .toString('base64url');
    expect(() => decodeCursor(`${payload}.${tag}`)).toThrow(InvalidCursorError);
  });
});
