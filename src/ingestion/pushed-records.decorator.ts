// The records of POST /api/ingest/alerts, taken from the body past the global validation pipe.
// They are upstream records like a sync's page, untrusted and screened one by one by the sync's
// normaliser: a record with a NUL or an unpaired surrogate, nested deeper than the API allows, or
// not an alert at all, is quarantined alone with its reason while the rest of the batch is stored,
// as in a sync. The pipe would refuse the whole batch for any of them (and copy every record
// through class-transformer first), so only the envelope is checked here, with the pipe's answer
// (400, every offending field named): an object whose only field is `alerts`, an array of 1 to
// PUSH_MAX_RECORDS records.
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FieldError } from '../common/problem/problem-details.js';
import { ValidationFailedException } from '../common/validation/validation-failed.exception.js';
import { findUnstorable } from '../common/validation/validation.pipe.js';
import { PUSH_MAX_RECORDS } from './dto/push-alerts.dto.js';

/** The `alerts` of a body, or every reason the envelope is refused. */
export function envelopeRecords(body: unknown): unknown[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationFailedException([
      { field: 'body', message: 'body must be a JSON object with an alerts array' },
    ]);
  }
  const errors: FieldError[] = [];
  const unknown = Object.keys(body).filter((key) => key !== 'alerts');
  // A field name is echoed in its error only when it can be stored and shown (as the pipe does).
  const unstorable = findUnstorable(Object.fromEntries(unknown.map((key) => [key, null])));
  if (unstorable) errors.push({ field: 'body', message: `body ${unstorable.message}` });
  else
    for (const key of unknown)
      errors.push({ field: key, message: `property ${key} should not exist` });
  const records = (body as { alerts?: unknown }).alerts;
  if (!Array.isArray(records)) {
    errors.push({ field: 'alerts', message: 'alerts must be an array of records' });
  } else if (records.length === 0) {
    errors.push({ field: 'alerts', message: 'alerts must contain at least 1 record' });
  } else if (records.length > PUSH_MAX_RECORDS) {
    errors.push({
      field: 'alerts',
      message: `alerts must contain at most ${PUSH_MAX_RECORDS} records (send more in several requests)`,
    });
  }
  if (errors.length > 0) throw new ValidationFailedException(errors);
  return records as unknown[];
}

/** The pushed records, their envelope checked (see the file header). */
export const PushedRecords = createParamDecorator(
  (_: unknown, context: ExecutionContext): unknown[] =>
    envelopeRecords(context.switchToHttp().getRequest<{ body?: unknown }>().body),
);
