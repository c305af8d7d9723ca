import { OmitType } from '@nestjs/swagger';
import { AlertFilterDto, toAlertFilter } from '../../alerts/dto/alert-filter.dto.js';
import type { WebhookFilter } from '../webhook.repository.js';
import type { WebhookFilterViewDto } from './webhook-filter-view.dto.js';

/**
 * The alert list's filters a subscription matches alerts by, validated by the very same rules;
 * the time window (`since`, `until`, `hours`) is left out: a subscription is about alerts as
 * they come. The `ip` pivot and `incident_id` are left out too: subscriptions are matched by the
 * database's triggers, which know no network filter and read only the alert's own row (its
 * incident is a row of incident_alerts).
 */
export class WebhookFilterDto extends OmitType(AlertFilterDto, [
  'since',
  'until',
  'hours',
  'ip',
  'incident_id',
]) {}

export function toWebhookFilter(dto: WebhookFilterDto | undefined): WebhookFilter {
  if (!dto) return {};
  const { severities, status, source, country, user, enrichmentType, origin, text } =
    toAlertFilter(dto);
  const filter: WebhookFilter = {
    severities,
    status,
    source,
    country,
    user,
    enrichmentType,
    origin,
    text,
  };
  for (const key of Object.keys(filter) as Array<keyof WebhookFilter>)
    if (filter[key] === undefined) delete filter[key];
  return filter;
}

/** The filter as the API shows it (the list's parameter names). */
export function fromWebhookFilter(filter: WebhookFilter): WebhookFilterViewDto {
  const dto: WebhookFilterViewDto = {
    severity: filter.severities,
    status: filter.status,
    source: filter.source,
    country: filter.country,
    user: filter.user,
    enrichment_type: filter.enrichmentType,
    origin: filter.origin,
    q: filter.text,
  };
  for (const key of Object.keys(dto) as Array<keyof WebhookFilterViewDto>)
    if (dto[key] === undefined) delete dto[key];
  return dto;
}
