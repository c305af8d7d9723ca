// The bodies a subscription receives. `standard`: `{type, timestamp, data: {alerts}}`, each alert
// as GET /api/alerts/{id} serves it. `slack`: what a Slack (or Mattermost, Teams workflow)
// incoming webhook takes: `text` for notifications and `blocks` for the message, one section per
// alert up to SLACK_ALERTS. Pure.
import type { AlertDetailDto } from '../alerts/dto/alert.dto.js';

export type WebhookEventType = 'alert.created' | 'alert.changed' | 'webhook.test';
export type WebhookFormat = 'standard' | 'slack';

/** Alerts listed one by one in a Slack message (its blocks are limited to 50). */
const SLACK_ALERTS = 10;

/**
 * A message's body. `alertsJson` is the text of the alerts' JSON array (as the store renders it):
 * a standard body wraps it as it is, never parsing the alerts into objects.
 */
export function renderBody(
  format: WebhookFormat,
  type: WebhookEventType,
  timestamp: Date,
  alertsJson: string,
): string {
  if (format === 'slack') {
    return JSON.stringify(slackMessage(type, JSON.parse(alertsJson) as AlertDetailDto[]));
  }
  const head = JSON.stringify({ type, timestamp: timestamp.toISOString() });
  return `${head.slice(0, -1)},"data":{"alerts":${alertsJson}}}`;
}

/** Slack's mrkdwn needs only these three escaped. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function headline(type: WebhookEventType, alerts: AlertDetailDto[]): string {
  if (type === 'webhook.test') return 'Vigil: test message from a webhook subscription';
  const n = alerts.length;
  const noun = n === 1 ? 'alert' : 'alerts';
  const what = type === 'alert.created' ? `${n} new ${noun}` : `${n} ${noun} changed`;
  const bySeverity = new Map<string, number>();
  for (const alert of alerts)
    bySeverity.set(alert.severity, (bySeverity.get(alert.severity) ?? 0) + 1);
  const counts = [...bySeverity].map(([severity, count]) => `${count} ${severity}`).join(', ');
  return `Vigil: ${what}${counts ? ` (${counts})` : ''}`;
}

function slackMessage(type: WebhookEventType, alerts: AlertDetailDto[]) {
  const text = headline(type, alerts);
  const blocks: object[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${escapeSlack(text)}*` } },
  ];
  for (const alert of alerts.slice(0, SLACK_ALERTS)) {
    const where = [alert.src_ip, alert.dst_ip].filter(Boolean).join(' → ');
    const lines = [
      `*${alert.severity.toUpperCase()}* · ${escapeSlack(alert.source)} · ${alert.status}`,
      escapeSlack(alert.description.slice(0, 500)),
      [where, alert.user && `user ${escapeSlack(alert.user)}`, `id ${alert.id}`]
        .filter(Boolean)
        .join(' · '),
    ];
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } });
  }
  if (alerts.length > SLACK_ALERTS) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${alerts.length - SLACK_ALERTS} more` }],
    });
  }
  return { text, blocks };
}
