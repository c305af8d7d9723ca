// Migrations in the order they apply. Listed explicitly (no globs) so the app and the CLI load
// the same classes whether running from src/ or dist/.
import { Identity1763700000000 } from './1763700000000-identity.js';
import { AlertsAndIngestion1763800000000 } from './1763800000000-alerts-and-ingestion.js';
import { ContextNetworkIndex1763810000000 } from './1763810000000-context-network-index.js';
import { EventsAndHistory1763900000000 } from './1763900000000-events-and-history.js';
import { FingerprintOnlyAsKey1764000000000 } from './1764000000000-fingerprint-only-as-key.js';
import { ContextVersion1764000000100 } from './1764000000100-context-version.js';
import { HostileUpstream1764100000000 } from './1764100000000-hostile-upstream.js';
import { LiveSessionIndex1764200000400 } from './1764200000400-live-session-index.js';
import { AlertRollups1764300000000 } from './1764300000000-alert-rollups.js';
import { ApiKeys1764400000000 } from './1764400000000-api-keys.js';
import { PushOrigin1764400000100 } from './1764400000100-push-origin.js';
import { Webhooks1764400000200 } from './1764400000200-webhooks.js';
import { IpPivots1764500000000 } from './1764500000000-ip-pivots.js';
import { Incidents1764500000100 } from './1764500000100-incidents.js';
import { LiveEvents1764500000200 } from './1764500000200-live-events.js';
import { IncidentLiveEvents1764500000300 } from './1764500000300-incident-live-events.js';
import { TransitionTables1764500000400 } from './1764500000400-transition-tables.js';

export const MIGRATIONS = [
  Identity1763700000000,
  AlertsAndIngestion1763800000000,
  ContextNetworkIndex1763810000000,
  EventsAndHistory1763900000000,
  FingerprintOnlyAsKey1764000000000,
  ContextVersion1764000000100,
  HostileUpstream1764100000000,
  LiveSessionIndex1764200000400,
  AlertRollups1764300000000,
  ApiKeys1764400000000,
  PushOrigin1764400000100,
  Webhooks1764400000200,
  IpPivots1764500000000,
  Incidents1764500000100,
  LiveEvents1764500000200,
  IncidentLiveEvents1764500000300,
  TransitionTables1764500000400,
];
