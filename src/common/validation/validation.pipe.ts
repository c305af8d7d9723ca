import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { ValidationFailedException } from './validation-failed.exception.js';

/**
 * Deeper than any body of ours needs. class-transformer walks a body recursively before
 * validation, so a few thousand nested arrays would otherwise overflow the stack (a 500).
 */
export const MAX_BODY_DEPTH = 64;

/** Nesting depth of a parsed JSON value, counted without recursion; stops past `limit`. */
export function jsonDepth(value: unknown, limit = MAX_BODY_DEPTH): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      stack.push([child, level]);
    }
  }
  return deepest;
}

// PostgreSQL text and jsonb cannot hold U+0000, and UTF-8 cannot encode half a surrogate pair
// (text silently gets U+FFFD, jsonb refuses the escape): either would fail deep in a query as a
// 500. A paired surrogate is one code point, so /\p{Cs}/u finds only the unpaired halves.
// eslint-disable-next-line no-control-regex -- NUL is what this looks for
const UNSTORABLE = /\u0000|\p{Cs}/u;

/** A string (or an object key) PostgreSQL cannot store, found in a request value. */
export interface Unstorable {
  /** `a.b`, array items as `a.0`; '' for the value itself. For a key: the object holding it. */
  path: string;
  inKey: boolean;
  message: string;
}

/** A value met in the walk, with the way back to the root (the path is spelt only on a find). */
interface Visit {
  node: unknown;
  key: string;
  parent: Visit | null;
}

function pathOf(visit: Visit): string {
  const keys: string[] = [];
  for (let at: Visit | null = visit; at?.parent; at = at.parent) keys.push(at.key);
  return keys.reverse().join('.');
}

/**
 * The first string or key in `value` that PostgreSQL cannot store, else null. Walked without
 * recursion; a field's path is spelt only when something is found (this runs on every request).
 */
export function findUnstorable(value: unknown): Unstorable | null {
  const stack: Visit[] = [{ node: value, key: '', parent: null }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { node } = visit;
    if (typeof node === 'string') {
      if (UNSTORABLE.test(node))
        return { path: pathOf(visit), inKey: false, message: unstorableMessage(node) };
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    for (const key in node) {
      if (!Object.hasOwn(node, key)) continue;
      if (UNSTORABLE.test(key)) {
        return {
          path: pathOf(visit),
          inKey: true,
          message: `has a field name that ${unstorableMessage(key)}`,
        };
      }
      const child = (node as Record<string, unknown>)[key];
      // Numbers, booleans and null hold nothing to find: no visit for them.
      if (typeof child === 'string' || (child !== null && typeof child === 'object'))
        stack.push({ node: child, key, parent: visit });
    }
  }
  return null;
}

function unstorableMessage(text: string): string {
  return text.includes('\u0000')
    ? 'must not contain NUL (U+0000) characters'
    : 'must not contain unpaired UTF-16 surrogates';
}

const CHECKED_SOURCES = new Set<ArgumentMetadata['type']>(['body', 'query', 'param']);

class BoundedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && jsonDepth(value) > MAX_BODY_DEPTH) {
      throw new ValidationFailedException([
        { field: 'body', message: `the body nests deeper than ${MAX_BODY_DEPTH} levels` },
      ]);
    }
    const found = CHECKED_SOURCES.has(metadata.type) ? findUnstorable(value) : null;
    // A bad key is refused before the DTO's rules, whose unknown-field message would repeat it.
    if (found?.inKey) throw unstorableError(found, metadata);
    // Otherwise the DTO's own rules speak first (they may say more about a field); a string
    // they let through still never reaches SQL with a character PostgreSQL refuses.
    const result: unknown = await super.transform(value, metadata);
    if (found) throw unstorableError(found, metadata);
    return result;
  }
}

function unstorableError(found: Unstorable, metadata: ArgumentMetadata): ValidationFailedException {
  const field = [metadata.data, found.path].filter(Boolean).join('.') || metadata.type;
  return new ValidationFailedException([{ field, message: `${field} ${found.message}` }]);
}

/** Unknown fields are rejected (not stripped), and every failure names its field. */
export function createValidationPipe(): ValidationPipe {
  return new BoundedValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => ValidationFailedException.fromValidationErrors(errors),
  });
}
