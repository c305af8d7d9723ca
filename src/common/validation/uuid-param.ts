import { ParseUUIDPipe } from '@nestjs/common';
import { ValidationFailedException } from './validation-failed.exception.js';

/** An `:id` path parameter: a malformed id is a 400 whose `errors` name the field, like any other. */
export const UUID_PARAM = new ParseUUIDPipe({
  version: '4',
  exceptionFactory: () =>
    new ValidationFailedException([{ field: 'id', message: 'id must be a UUID' }]),
});
