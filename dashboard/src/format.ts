// Numbers, times and durations as people read them.

const numbers = new Intl.NumberFormat('en');
const percent = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });
const countryNames = (() => {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' });
  } catch {
    return null;
  }
})();

export const count = (n: number | null | undefined): string =>
  n == null ? '–' : numbers.format(n);

export const share = (part: number, whole: number): string =>
  whole > 0 ? percent.format(part / whole) : '–';

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString('en-GB', {
        year: 'numeric',
        month: 'short',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
}

export function shortTime(iso: string): string {
  const date = new Date(iso);
  return date.toLocaleString('en-GB', {
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** 0.4 s, 45 s, 12 min, 3 h 5 min, 2 d 4 h. */
export function duration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '–';
  const abs = Math.abs(seconds);
  if (abs < 9.95) return `${Number.isInteger(abs) ? abs : abs.toFixed(1)} s`;
  if (abs < 59.5) return `${Math.round(abs)} s`;
  const minutes = Math.round(abs / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(abs / 3600);
  if (minutes < 24 * 60) {
    const h = Math.floor(minutes / 60);
    return `${h} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  }
  return `${Math.floor(hours / 24)} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}

/** "3 min ago" / "in 40 s" relative to `now`. */
export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '–';
  const ms = new Date(iso).getTime();
  if (Number.isNaN(ms)) return iso;
  const seconds = (ms - now) / 1000;
  if (Math.abs(seconds) < 1) return 'now';
  return seconds < 0 ? `${duration(-seconds)} ago` : `in ${duration(seconds)}`;
}

export function countryName(code: string | null | undefined): string {
  if (!code) return 'Unknown';
  try {
    return countryNames?.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

export const label = (value: string): string => value.replace(/_/g, ' ');

/** An ISO instant as a `datetime-local` input value (local time), and back. */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * A receiver URL as lists show it: the origin and the first path segment (cut short when long),
 * the rest elided — a Slack URL's path, or a query string, is the credential itself.
 */
export function maskedUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments.length === 0) return url.search ? `${url.origin}/?…` : url.origin;
  const first = segments[0].length > 12 ? `${segments[0].slice(0, 4)}…` : segments[0];
  return `${url.origin}/${first}${segments.length > 1 || url.search ? '/…' : ''}`;
}
