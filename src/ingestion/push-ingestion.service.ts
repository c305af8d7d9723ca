// Push ingestion (POST /api/ingest/alerts): a batch of records a source sends goes through the
// sync's own steps (screened: normalised, or quarantined with the reason; alerts the store holds
// looked up by dedup key and left out before enrichment; the rest enriched and stored with the
// quarantine rows in one statement) and is answered record by record. Re-sending a batch stores
// nothing new: each alert is found again by its key, each bad record by its hash.
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AlertStore } from '../alerts/alert.store.js';
import { ingestionConfig } from '../config/ingestion.config.js';
import { EnrichmentService } from '../enrichment/enrichment.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { NormalizedAlert } from './alert-normalizer.js';
import { PushRepository } from './push.repository.js';
import {
  encodeAlerts,
  encodeQuarantine,
  type QuarantineRow,
  screenRecord,
} from './record-screening.js';

export type PushStatus = 'stored' | 'duplicate' | 'quarantined';

/** What became of one record of a batch. */
export interface PushOutcome {
  /** Its position in the batch. */
  index: number;
  status: PushStatus;
  /**
   * stored: the new alert; duplicate: the alert stored before under the same key (by an earlier
   * request, a sync, or an earlier record of this batch). Absent for a quarantined record, and for
   * a duplicate whose alert was deleted (retention) between the insert and the look-up.
   */
  id?: string;
  /** quarantined: why. */
  reason?: string;
}

export interface PushResult {
  results: PushOutcome[];
  stored: number;
  duplicates: number;
  quarantined: number;
}

/** The first record of the batch with a dedup key, and the alert under that key. */
interface Candidate {
  index: number;
  alert: NormalizedAlert;
  id: string | undefined;
  stored: boolean;
}

/** A dedup key as one string. A NUL never occurs in a source or an id (the normaliser refuses it). */
function keyOf(key: { source: string; externalId: string | null; fingerprint: string | null }) {
  return key.externalId !== null ? `${key.source}\u0000${key.externalId}` : `#${key.fingerprint}`;
}

@Injectable()
export class PushIngestionService {
  constructor(
    private readonly alerts: AlertStore,
    private readonly repository: PushRepository,
    private readonly enrichment: EnrichmentService,
    private readonly metrics: MetricsService,
    @Inject(ingestionConfig.KEY) private readonly config: ConfigType<typeof ingestionConfig>,
  ) {}

  async push(records: readonly unknown[]): Promise<PushResult> {
    const results: PushOutcome[] = new Array<PushOutcome>(records.length);
    const quarantine: QuarantineRow[] = [];
    const candidates: Candidate[] = [];
    const byKey = new Map<string, Candidate>();
    /** Later records with a key an earlier one had, and that earlier one. */
    const repeats: Array<[index: number, first: Candidate]> = [];
    records.forEach((record, index) => {
      const screened = screenRecord(record);
      if (!screened.ok) {
        quarantine.push(screened.quarantine);
        results[index] = { index, status: 'quarantined', reason: screened.quarantine.reason };
        return;
      }
      const key = keyOf(screened.alert);
      const first = byKey.get(key);
      if (first) {
        repeats.push([index, first]);
        return;
      }
      const candidate: Candidate = { index, alert: screened.alert, id: undefined, stored: false };
      byKey.set(key, candidate);
      candidates.push(candidate);
    });

    // Known alerts cost a look-up, not an enrichment and a write (as in a sync).
    const known = await this.alerts.knownIds(candidates.map((c) => c.alert));
    for (const [i, id] of known) candidates[i].id = id;
    const fresh = candidates.filter((c) => c.id === undefined);
    let quarantined = 0;
    if (fresh.length > 0 || quarantine.length > 0) {
      const alerts = fresh.map((c) => c.alert);
      const enrichments = await this.enrichment.enrich(alerts);
      const committed = await this.repository.commit(
        encodeAlerts(alerts, enrichments),
        encodeQuarantine(quarantine),
      );
      quarantined = committed.quarantined;
      for (const alert of committed.stored) {
        const candidate = byKey.get(keyOf(alert))!;
        candidate.id = alert.id;
        candidate.stored = true;
      }
      // Stored meanwhile by another writer (a sync, a concurrent push): the insert left them out.
      const raced = fresh.filter((c) => !c.stored);
      const found = await this.alerts.knownIds(raced.map((c) => c.alert));
      for (const [i, id] of found) raced[i].id = id;
    }

    for (const c of candidates) {
      results[c.index] = { index: c.index, status: c.stored ? 'stored' : 'duplicate', id: c.id };
    }
    for (const [index, first] of repeats)
      results[index] = { index, status: 'duplicate', id: first.id };
    const stored = candidates.filter((c) => c.stored);
    this.count(stored, quarantined);
    return {
      results,
      stored: stored.length,
      duplicates: records.length - stored.length - quarantine.length,
      quarantined: quarantine.length,
    };
  }

  /** The sync's counters, labelled origin push. */
  private count(stored: readonly Candidate[], quarantined: number): void {
    // No prototype: a source named __proto__ is a key like any other.
    const insertedBySource = Object.create(null) as Record<string, number>;
    const futureAfter = Date.now() + this.config.maxFutureSeconds * 1000;
    let futureDated = 0;
    for (const { alert } of stored) {
      insertedBySource[alert.source] = (insertedBySource[alert.source] ?? 0) + 1;
      if (alert.createdAt.getTime() > futureAfter) futureDated += 1;
    }
    this.metrics.pageCommitted({ insertedBySource, quarantined, late: 0, futureDated }, 'push');
  }
}
