// The wire shapes the dashboard reads, named for the views: aliases of the types openapi-typescript
// generates from the service's OpenAPI document (scripts/dashboard-types.mjs, run by `npm run lint`
// and `npm run build`), so a DTO change that breaks a view fails the type check instead of the
// page. The dashboard knows the service through its public API only: nothing here imports src/.
import type { components, operations } from './generated/openapi.js';

type Schemas = components['schemas'];

export type FieldError = Schemas['FieldError'];
export type Me = Schemas['MeDto'];
export type TokenPair = Schemas['TokenPairDto'];
export type Alert = Schemas['AlertDto'];
export type AlertEvent = Schemas['AlertEventDto'];
export type AlertDetail = Schemas['AlertDetailDto'];
export type AlertPage = Schemas['AlertPageDto'];
export type HistoryEntry = Schemas['AlertHistoryEntryDto'];
export type AlertHistory = Schemas['AlertHistoryDto'];
export type BulkResult = Schemas['BulkResultDto'];
export type RelatedAlerts = Schemas['RelatedAlertsDto'];
export type RelatedGroup = Schemas['RelatedGroupDto'];
export type SyncRun = Schemas['SyncRunDto'];
export type SyncRunList = Schemas['SyncRunListDto'];
export type SyncStarted = Schemas['SyncStartedDto'];
export type ServiceConfig = Schemas['ServiceConfigDto'];
export type SeverityCounts = Schemas['SeverityCountsDto'];
export type Stats = Schemas['AlertStatsDto'];
export type Chaos = Schemas['UpstreamChaosDto'];
export type UserSummary = Schemas['UserDto'];
export type UserList = Schemas['UserListDto'];
export type Webhook = Schemas['WebhookDto'];
export type CreatedWebhook = Schemas['CreatedWebhookDto'];
export type WebhookList = Schemas['WebhookListDto'];
export type WebhookFilter = Schemas['WebhookFilterViewDto'];
export type NewWebhook = Schemas['CreateWebhookDto'];
/** PATCH takes any of the fields (the generated type requires the ones with a default). */
export type WebhookChanges = Partial<Schemas['UpdateWebhookDto']>;
export type Delivery = Schemas['DeliveryDto'];
export type DeliveryPage = Schemas['DeliveryPageDto'];
export type ApiKey = Schemas['ApiKeyDto'];
export type CreatedApiKey = Schemas['CreatedApiKeyDto'];
export type ApiKeyList = Schemas['ApiKeyListDto'];
export type NewApiKey = Schemas['CreateApiKeyDto'];
export type Incident = Schemas['IncidentDto'];
export type IncidentDetail = Schemas['IncidentDetailDto'];
export type IncidentPage = Schemas['IncidentPageDto'];
export type IncidentHistory = Schemas['IncidentHistoryDto'];
export type IncidentHistoryEntry = Schemas['IncidentHistoryEntryDto'];
export type UpdatedIncident = Schemas['UpdatedIncidentDto'];

export type Severity = Alert['severity'];
export type Status = Alert['status'];
export type Resolution = NonNullable<Alert['resolution']>;
export type Group = Me['groups'][number];
export type WebhookEvent = Webhook['events'][number];
export type WebhookFormat = Webhook['format'];
export type DeliveryStatus = Delivery['status'];

/** GET /health's answer (an inline schema in the document, not a named DTO). */
type HealthSummary = operations['getHealth']['responses'][200]['content']['application/json'];

/**
 * What the health panel shows: the summary, or what a 503 problem still tells when the database is
 * unreachable (status "down", no schedule or circuit state).
 */
export type Health = Pick<
  HealthSummary,
  | 'last_successful_sync'
  | 'last_sync_status'
  | 'last_error'
  | 'last_event_time'
  | 'sync_interval_seconds'
  | 'upstream_url'
> &
  Partial<Pick<HealthSummary, 'next_sync_at' | 'skipped_ticks' | 'enrichment'>> & {
    status: HealthSummary['status'] | 'down';
    db_connected: boolean;
  };

/**
 * `values`, checked to list every member of the union U and nothing else: a value the document adds
 * or drops fails the type check here rather than leaving a filter or a menu a value short.
 */
const everyOf =
  <U extends string>() =>
  <const T extends readonly U[]>(
    values: T & ([U] extends [T[number]] ? unknown : { missing: Exclude<U, T[number]> }),
  ): T =>
    values;

export const SEVERITIES = everyOf<Severity>()(['low', 'medium', 'high', 'critical']);
export const STATUSES = everyOf<Status>()(['open', 'acknowledged', 'resolved']);
export const RESOLUTIONS = everyOf<Resolution>()([
  'true_positive',
  'false_positive',
  'benign',
  'duplicate',
]);
export const ENRICHMENT_TYPES = everyOf<Alert['enrichment_type']>()(['tor_exit_node', 'clean']);
export const ORIGINS = everyOf<Alert['origin']>()(['upstream', 'event', 'push']);
export const GROUPS = everyOf<Group>()(['admin', 'analyst', 'ingest']);
export const WEBHOOK_EVENTS = everyOf<WebhookEvent>()(['alert.created', 'alert.changed']);
export const WEBHOOK_FORMATS = everyOf<WebhookFormat>()(['standard', 'slack']);
export const DELIVERY_STATUSES = everyOf<DeliveryStatus>()(['pending', 'delivered', 'failed']);
/** The mock upstream's ten sources (contract section 1); the source filter accepts any name. */
export const KNOWN_SOURCES = [
  'firewall',
  'ngfw',
  'ips',
  'vpn_gateway',
  'router_acl',
  'waf',
  'swg',
  'nac',
  'api_gateway',
  'load_balancer',
];

/** open → acknowledged → resolved, open → resolved, acknowledged → open; resolved is final. */
export const TRANSITIONS: Record<Status, Status[]> = {
  open: ['acknowledged', 'resolved'],
  acknowledged: ['open', 'resolved'],
  resolved: [],
};
