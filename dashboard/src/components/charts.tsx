// Hand-made SVG and CSS charts: a few hundred bytes each instead of a charting library. Each has a
// text alternative (aria-label, and the numbers as visible labels).
import { count, shortTime } from '../format.js';
import { SEVERITIES, type Stats } from '../types.js';

export interface Bar {
  key: string;
  label: string;
  value: number;
  className?: string;
}

/** Horizontal bars, longest first as given, each with its label and count. */
export function BarList({
  bars,
  title,
  empty = 'Nothing yet',
}: {
  bars: Bar[];
  title: string;
  empty?: string;
}) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  if (bars.length === 0) return <p class="muted">{empty}</p>;
  return (
    <ul class="bars" aria-label={title}>
      {bars.map((bar) => (
        <li key={bar.key}>
          <span class="bar-label">{bar.label}</span>
          <span class="bar-track" aria-hidden="true">
            <span
              class={`bar-fill ${bar.className ?? ''}`}
              style={{ width: `${(bar.value / max) * 100}%` }}
            />
          </span>
          <span class="bar-value">{count(bar.value)}</span>
        </li>
      ))}
    </ul>
  );
}

export type TimelinePoint = Stats['timeline'][number];

/** Alerts per hour, stacked by severity. */
export function Timeline({ points }: { points: TimelinePoint[] }) {
  const width = 720;
  const height = 180;
  const pad = { top: 10, right: 8, bottom: 22, left: 40 };
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const max = Math.max(1, ...points.map((p) => p.total));
  const step = innerW / Math.max(1, points.length);
  const barW = Math.max(1, step * 0.8);
  const y = (v: number) => (v / max) * innerH;
  const labelEvery = Math.max(1, Math.ceil(points.length / 8));
  const total = points.reduce((sum, p) => sum + p.total, 0);
  const peak = points.reduce<TimelinePoint | undefined>(
    (best, p) => (!best || p.total > best.total ? p : best),
    undefined,
  );

  return (
    <svg
      class="timeline"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`Alerts per hour: ${count(total)} over ${points.length} hours${
        peak ? `, peak ${count(peak.total)} at ${shortTime(peak.hour)}` : ''
      }`}
      preserveAspectRatio="none"
    >
      {[0, 0.5, 1].map((f) => (
        <g key={f}>
          <line
            x1={pad.left}
            x2={width - pad.right}
            y1={pad.top + innerH - f * innerH}
            y2={pad.top + innerH - f * innerH}
            class="grid"
          />
          <text
            x={pad.left - 4}
            y={pad.top + innerH - f * innerH + 4}
            class="axis"
            text-anchor="end"
          >
            {count(Math.round(max * f))}
          </text>
        </g>
      ))}
      {points.map((p, i) => {
        let base = pad.top + innerH;
        const x = pad.left + i * step + (step - barW) / 2;
        return (
          <g key={p.hour}>
            <title>{`${shortTime(p.hour)}: ${count(p.total)} (${SEVERITIES.map((s) => `${s} ${p[s] ?? 0}`).join(', ')})`}</title>
            {SEVERITIES.map((s) => {
              const h = y(p[s] ?? 0);
              base -= h;
              return h > 0 ? (
                <rect key={s} x={x} y={base} width={barW} height={h} class={`sev-${s}`} />
              ) : null;
            })}
            {i % labelEvery === 0 && (
              <text x={x + barW / 2} y={height - 6} class="axis" text-anchor="middle">
                {new Date(p.hour).toLocaleTimeString('en-GB', {
                  hour: '2-digit',
                  minute: '2-digit',
                })}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

/** A ring showing one share of a whole. */
export function Ring({ part, whole, label }: { part: number; whole: number; label: string }) {
  const r = 36;
  const c = 2 * Math.PI * r;
  const f = whole > 0 ? part / whole : 0;
  return (
    <svg class="ring" viewBox="0 0 100 100" role="img" aria-label={label}>
      <circle cx="50" cy="50" r={r} class="ring-track" />
      <circle
        cx="50"
        cy="50"
        r={r}
        class="ring-fill"
        stroke-dasharray={`${f * c} ${c}`}
        transform="rotate(-90 50 50)"
      />
      <text x="50" y="55" text-anchor="middle" class="ring-text">
        {whole > 0 ? `${(f * 100).toFixed(f < 0.1 ? 1 : 0)}%` : '–'}
      </text>
    </svg>
  );
}
