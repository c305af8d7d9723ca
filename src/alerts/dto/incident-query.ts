// The `incident_id` filter of the alert list and the bulk change: the alerts of one incident.
// Any UUID, any case: an id that names no incident selects no alert (an empty page, not a 404),
// as an unknown `source` does; only text that is not a UUID at all is refused.
import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IfPresent } from '../../common/validation/if-present.js';
import { QueryRule } from '../../common/validation/query-fields.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function IncidentQuery() {
  return applyDecorators(
    ApiPropertyOptional({
      type: String,
      format: 'uuid',
      example: '0b7c4a4e-2f4d-4c1a-9a57-3f0f4a8d2b61',
      description:
        'The alerts of this incident (`GET /api/incidents/{id}` lists their ids, oldest first); ' +
        'none when no incident has this id.',
    }),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' ? value.toLowerCase() : value,
    ),
    IfPresent(),
    QueryRule('incidentQuery', (value, property) => {
      if (Array.isArray(value)) return `${property} must be given once`;
      return typeof value === 'string' && UUID.test(value) ? null : `${property} must be a UUID`;
    }),
  );
}
