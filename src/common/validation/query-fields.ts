// Decorators for list query strings. Query values arrive as strings (or arrays of strings when a
// name repeats), so each field converts its own value and checks it with one rule that names the
// parameter and says what it accepts: a value of the wrong type never gets a misleading
// range message. Reused by every list endpoint, and by the bulk update's JSON filter, where an
// explicit null is a value to refuse (IfPresent), not an absent field (IsOptional would wave it
// through to the query builder).
import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';
import { parseInstant } from '../pagination/timestamp.js';
import { IfPresent } from './if-present.js';
import { toInteger } from './integer.js';

/** A message when `value` breaks the rule, else null. */
type Rule = (value: unknown, property: string, query: Record<string, unknown>) => string | null;

/** One class-validator constraint whose message comes from the same rule that failed. */
export function QueryRule(name: string, rule: Rule): PropertyDecorator {
  return ValidateBy({
    name,
    validator: {
      validate: (value, args) =>
        rule(value, args!.property, args!.object as Record<string, unknown>) === null,
      defaultMessage: (args) =>
        rule(args!.value, args!.property, args!.object as Record<string, unknown>) ??
        `${args!.property} is invalid`,
    },
  });
}

const once = (property: string, value: unknown) =>
  Array.isArray(value) ? `${property} must be given once` : null;

type Doc = Pick<ApiPropertyOptions, 'description' | 'example' | 'default'>;

/** An integer in [min, max]. */
export function IntegerQuery(min: number, max: number, doc: Doc = {}) {
  return applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: min, maximum: max, ...doc }),
    Transform(toInteger),
    IfPresent(),
    QueryRule(
      'integerQuery',
      (value, property) =>
        once(property, value) ??
        (Number.isInteger(value) && (value as number) >= min && (value as number) <= max
          ? null
          : `${property} must be an integer from ${min} to ${max}`),
    ),
  );
}

export interface EnumQueryOptions extends Doc {
  /** Accept a comma-separated list (and repeated parameters); the value becomes an array. */
  many?: boolean;
  /** Match regardless of case (values are lower-case). Default true. */
  caseInsensitive?: boolean;
}

/** One of `values`, or with `many` a non-empty comma list of them (duplicates dropped). */
export function EnumQuery(values: readonly string[], options: EnumQueryOptions = {}) {
  const { many = false, caseInsensitive = true, ...doc } = options;
  const normalise = (text: string) => (caseInsensitive ? text.trim().toLowerCase() : text);
  const allowed = values.join(', ');
  return applyDecorators(
    many
      ? ApiPropertyOptional({
          type: String,
          description: `One or a comma-separated list of: ${allowed}.`,
          ...doc,
        })
      : ApiPropertyOptional({ enum: values, ...doc }),
    Transform(({ value }: { value: unknown }) => {
      if (!many) return typeof value === 'string' ? normalise(value) : value;
      const items = [value].flat();
      if (!items.every((item) => typeof item === 'string')) return value;
      return [...new Set(items.flatMap((item) => item.split(',')).map(normalise))];
    }),
    IfPresent(),
    QueryRule('enumQuery', (value, property) => {
      if (!many) {
        return (
          once(property, value) ??
          (typeof value === 'string' && values.includes(value)
            ? null
            : `${property} must be one of: ${allowed}`)
        );
      }
      return Array.isArray(value) &&
        value.length > 0 &&
        value.every((item) => typeof item === 'string' && values.includes(item))
        ? null
        : `${property} must be one or a comma-separated list of: ${allowed}`;
    }),
  );
}

export interface TextQueryOptions extends Doc {
  minLength?: number;
  maxLength: number;
  /** The whole value must match; `patternMessage` says what it means. */
  pattern?: RegExp;
  patternMessage?: string;
  /** Applied before the checks (e.g. upper-casing a country code). */
  normalise?: (text: string) => string;
}

// NUL cannot be stored in PostgreSQL text; other control characters are never meaningful here.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** A single string of minLength..maxLength characters without control characters. */
export function TextQuery(options: TextQueryOptions) {
  const { minLength = 1, maxLength, pattern, patternMessage, normalise, ...doc } = options;
  return applyDecorators(
    ApiPropertyOptional({
      type: String,
      minLength,
      maxLength,
      ...(pattern && { pattern: pattern.source }),
      ...doc,
    }),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && normalise ? normalise(value) : value,
    ),
    IfPresent(),
    QueryRule('textQuery', (value, property) => {
      if (Array.isArray(value)) return `${property} must be given once`;
      if (typeof value !== 'string') return `${property} must be a string`;
      if (value.length < minLength || value.length > maxLength) {
        return minLength === maxLength
          ? `${property} must be ${minLength} characters long`
          : `${property} must be ${minLength} to ${maxLength} characters long`;
      }
      if (CONTROL_CHARACTERS.test(value)) return `${property} must not contain control characters`;
      if (pattern && !pattern.test(value)) return `${property} ${patternMessage ?? 'is malformed'}`;
      return null;
    }),
  );
}

/**
 * An instant: `YYYY-MM-DD` (midnight UTC) or an ISO 8601 date-time with `Z` or `±hh:mm`. The
 * value becomes the normalised ISO string.
 */
export function InstantQuery(doc: Doc = {}) {
  return applyDecorators(
    ApiPropertyOptional({ type: String, format: 'date-time', ...doc }),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? (parseInstant(value)?.iso ?? value) : value,
    ),
    IfPresent(),
    QueryRule(
      'instantQuery',
      (value, property) =>
        once(property, value) ??
        (typeof value === 'string' && parseInstant(value)
          ? null
          : `${property} must be an ISO 8601 date or date-time with Z or an offset, ` +
            `e.g. 2024-05-01T12:00:00Z (send + as %2B)`),
    ),
  );
}

/** This instant must not come before the instant in `other` (when both are valid). */
export function NotBefore(other: string) {
  return QueryRule('notBefore', (value, property, query) => {
    const mine = typeof value === 'string' ? parseInstant(value) : null;
    const theirs = typeof query[other] === 'string' ? parseInstant(query[other]) : null;
    return mine && theirs && mine.epochMs < theirs.epochMs
      ? `${property} must not be before ${other}`
      : null;
  });
}

/** This parameter cannot be combined with `other`. */
export function ExclusiveWith(other: string) {
  return QueryRule('exclusiveWith', (_, property, query) =>
    query[other] === undefined ? null : `${property} cannot be combined with ${other}`,
  );
}
