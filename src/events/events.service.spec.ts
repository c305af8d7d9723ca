import { jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import type { EventAlert } from '../alerts/alert.store.js';
import { NotFoundError } from '../common/problem/domain-error.js';
import type { EnrichedAlert, EnrichmentService } from '../enrichment/enrichment.service.js';
import type { Principal } from '../users/principal.js';
import type { NewEvent, StoredEventRow } from './event-sql.js';
import type { EventsRepository } from './events.repository.js';
import { eventAlertFingerprint, type EventInput, EventsService } from './events.service.js';

const ADMIN: Principal = {
  id: '5d0f3c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6',
  username: 'root',
  groups: ['admin'],
};
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const enriched: EnrichedAlert = {
  country: 'US',
  user: 'alice',
  enrichmentType: 'tor_exit_node',
  enrichment: { geo: { dst: {} }, tor: { dst_listed: true }, context: null, errors: [] },
};

function setup() {
  const inserts: Array<[NewEvent, EventAlert | null]> = [];
  const repository = {
    insert: jest.fn((event: NewEvent, alert: EventAlert | null) => {
      inserts.push([event, alert]);
      return Promise.resolve({
        id: event.id,
        alert_id: alert ? 'alert-id' : null,
        alert_status: alert ? 'open' : null,
      } as StoredEventRow);
    }),
    findById: jest.fn(() => Promise.resolve(null)),
  };
  const enrichment = { enrich: jest.fn(() => Promise.resolve([enriched])) };
  const sut = new EventsService(
    repository as unknown as EventsRepository,
    enrichment as unknown as EnrichmentService,
  );
  return { sut, repository, enrichment, inserts };
}

const input = (overrides: Partial<EventInput> = {}): EventInput => ({
  source: 'edr',
  eventType: 'process_injection',
  severity: 'high',
  description: 'Injected into lsass',
  srcIp: '10.0.0.5',
  dstIp: '185.220.101.1',
  ...overrides,
});

describe(EventsService.name, () => {
  it.each(['high', 'critical'] as const)(
    'enriches a %s event as a batch of one and stores it with its alert in one insert',
    async (severity) => {
      const { sut, enrichment, inserts } = setup();

      const row = await sut.create(input({ severity }), ADMIN);

      expect(enrichment.enrich).toHaveBeenCalledTimes(1);
      expect(enrichment.enrich).toHaveBeenCalledWith([
        { source: 'edr', srcIp: '10.0.0.5', dstIp: '185.220.101.1' },
      ]);
      expect(inserts).toHaveLength(1);
      const [event, alert] = inserts[0];
      expect(event.id).toMatch(UUID_V4);
      expect(event).toMatchObject({ severity, createdBy: ADMIN.id, occurredAt: null });
      expect(alert).toEqual({ fingerprint: eventAlertFingerprint(event.id), ...enriched });
      expect(row).toMatchObject({
        id: event.id,
        alert_id: 'alert-id',
        created_by_username: 'root',
      });
    },
  );

  it.each(['low', 'medium'] as const)(
    'stores a %s event without enriching it or raising an alert',
    async (severity) => {
      const { sut, enrichment, inserts } = setup();

      await sut.create(input({ severity, srcIp: undefined, dstIp: undefined }), ADMIN);

      expect(enrichment.enrich).not.toHaveBeenCalled();
      expect(inserts).toEqual([
        [expect.objectContaining({ severity, srcIp: null, dstIp: null, attributes: {} }), null],
      ]);
    },
  );

  it('gives every event its own id', async () => {
    const { sut, inserts } = setup();
    await sut.create(input(), ADMIN);
    await sut.create(input(), ADMIN);
    expect(inserts[0][0].id).not.toBe(inserts[1][0].id);
  });

  it('passes the given time and attributes through', async () => {
    const { sut, inserts } = setup();
    await sut.create(
      input({ occurredAt: '2024-05-01T12:00:00Z', attributes: { host: 'ws-1' } }),
      ADMIN,
    );
    expect(inserts[0][0]).toMatchObject({
      occurredAt: '2024-05-01T12:00:00Z',
      attributes: { host: 'ws-1' },
    });
  });

  it('answers NotFoundError for an unknown id', async () => {
    const { sut } = setup();
    await expect(sut.get('00000000-0000-4000-8000-000000000000')).rejects.toThrow(NotFoundError);
  });
});

describe(eventAlertFingerprint.name, () => {
  it("is SHA-256 of 'event:' and the event id", () => {
    const id = '0b7e7c1e-6a4f-4e8e-9a53-0f8a3f0e2b11';
    expect(eventAlertFingerprint(id)).toEqual(createHash('sha256').update(`event:${id}`).digest());
    expect(eventAlertFingerprint(id).toString('hex')).toHaveLength(64);
  });
});
