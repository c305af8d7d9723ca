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

class BoundedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && jsonDepth(value) > MAX_BODY_DEPTH) {
      throw new ValidationFailedException([
        { field: 'body', message: `the body nests deeper than ${MAX_BODY_DEPTH} levels` },
      ]);
    }
    return super.transform(value, metadata);
  }
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
