import type { AlertDetailDto } from '../alerts/dto/alert.dto.js';
import { renderBody } from './webhook-payload.js';

const alert = (i: number, severity: AlertDetailDto['severity'] = 'critical'): AlertDetailDto =>
  ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    source: 'edr <prod>',
    severity,
    status: 'open',
    description: `Mimikatz & friends on host-${i}`,
    src_ip: '10.0.0.1',
    dst_ip: null,
    user: i % 2 ? 'alice' : null,
  }) as AlertDetailDto;

const AT = new Date('2026-12-06T12:00:00.000Z');

describe('renderBody', () => {
  it('standard: {type, timestamp, data: {alerts}} with the alerts as given', () => {
    const alerts = [alert(1), alert(2, 'high')];
    expect(JSON.parse(renderBody('standard', 'alert.created', AT, JSON.stringify(alerts)))).toEqual(
      {
        type: 'alert.created',
        timestamp: '2026-12-06T12:00:00.000Z',
        data: { alerts },
      },
    );
  });

  it('slack: a headline counting severities and one escaped section per alert', () => {
    const message = JSON.parse(
      renderBody(
        'slack',
        'alert.created',
        AT,
        JSON.stringify([alert(1), alert(2, 'high'), alert(3)]),
      ),
    );
    expect(message.text).toBe('Vigil: 3 new alerts (2 critical, 1 high)');
    expect(message.blocks).toHaveLength(4);
    expect(message.blocks[1].text.text).toBe(
      '*CRITICAL* · edr &lt;prod&gt; · open\nMimikatz &amp; friends on host-1\n' +
        '10.0.0.1 · user alice · id 00000000-0000-4000-8000-000000000001',
    );
  });

  it('slack: lists ten alerts and says how many more', () => {
    const alerts = Array.from({ length: 25 }, (_, i) => alert(i));
    const message = JSON.parse(renderBody('slack', 'alert.changed', AT, JSON.stringify(alerts)));
    expect(message.text).toBe('Vigil: 25 alerts changed (25 critical)');
    expect(message.blocks).toHaveLength(12);
    expect(message.blocks[11]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: '…and 15 more' }],
    });
  });

  it('slack: a test message says what it is', () => {
    expect(JSON.parse(renderBody('slack', 'webhook.test', AT, '[]')).text).toBe(
      'Vigil: test message from a webhook subscription',
    );
  });
});
