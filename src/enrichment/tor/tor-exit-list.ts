// The set of Tor exit addresses, answered from memory. At start it comes, synchronously and
// without the network, from the last good download kept in DATA_DIR or else from the snapshot
// shipped in the repository; a background timer then refreshes it from the Tor Project every
// TOR_REFRESH_HOURS. A refresh replaces the Set reference in one assignment (readers never see
// a half-built list), refuses an implausibly small answer, and keeps a copy on disk
// (write to a temporary file, then rename) for the next start.
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import axios, { type AxiosInstance } from 'axios';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lookupAddress } from '../ip-address.js';

export const TOR_EXIT_LIST_OPTIONS = Symbol('TOR_EXIT_LIST_OPTIONS');

export interface TorExitListOptions {
  url: string;
  /** Hours between downloads; 0 never downloads. */
  refreshHours: number;
  /** The last good download (read first at start, rewritten after each successful refresh). */
  diskCopyPath: string;
  /** The list shipped in the repository, used when there is no good copy on disk. */
  snapshotPath: string;
  timeoutMs?: number;
  /** A downloaded list shorter than this is refused as broken (default 100). */
  minEntries?: number;
}

export type TorListSource = 'network' | 'disk' | 'snapshot' | 'none';

export type RefreshOutcome = { ok: true; size: number } | { ok: false; reason: string };

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MIN_ENTRIES = 100;
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** After a failed download, try again sooner than the full period. */
const RETRY_AFTER_FAILURE_MS = 30 * 60 * 1000;
const UPDATED_AT = /^#\s*updated_at:\s*(\S+)\s*$/m;

export interface ParsedExitList {
  addresses: Set<string>;
  /** From an `# updated_at: <ISO 8601>` comment, when the file has one. */
  updatedAt: Date | null;
}

/** One IPv4 address per line; comments (`#`), blank lines and anything else are ignored. */
export function parseExitList(text: string): ParsedExitList {
  const addresses = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line && isIPv4(line)) addresses.add(line);
  }
  const stamp = UPDATED_AT.exec(text)?.[1];
  const updatedAt = stamp ? new Date(stamp) : null;
  return { addresses, updatedAt: updatedAt && !isNaN(updatedAt.getTime()) ? updatedAt : null };
}

/** The snapshot beside this file in src/ (also when running the compiled copy from dist/). */
export function shippedSnapshotPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const name = 'tor-exit-snapshot.txt';
  const distMarker = `${sep}dist${sep}`;
  const candidates = [join(here, name)];
  const at = here.lastIndexOf(distMarker);
  if (at !== -1)
    candidates.push(join(here.slice(0, at) + sep + here.slice(at + distMarker.length), name));
  return candidates.find((path) => existsSync(path)) ?? candidates[candidates.length - 1];
}

@Injectable()
export class TorExitList implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TorExitList.name);
  private readonly http: AxiosInstance;
  private list: ReadonlySet<string> = new Set();
  private listUpdatedAt: Date | null = null;
  private listSource: TorListSource = 'none';
  private loaded = false;
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<RefreshOutcome>;
  private abort?: AbortController;
  private stopped = false;

  constructor(@Inject(TOR_EXIT_LIST_OPTIONS) private readonly options: TorExitListOptions) {
    // Its own instance: retry interceptors installed elsewhere on the default one do not apply.
    this.http = axios.create();
  }

  /** Whether `ip` (IPv4, or IPv4-mapped IPv6) is a listed exit. */
  has(ip: string): boolean {
    const list = this.list;
    if (list.has(ip)) return true;
    const address = lookupAddress(ip);
    return address !== null && address.family === 4 && list.has(address.address);
  }

  /** The current list; a refresh replaces it, never changes it. */
  get addresses(): ReadonlySet<string> {
    return this.list;
  }

  get size(): number {
    return this.list.size;
  }

  get updatedAt(): Date | null {
    return this.listUpdatedAt;
  }

  get source(): TorListSource {
    return this.listSource;
  }

  onModuleInit(): void {
    this.load();
  }

  onApplicationBootstrap(): void {
    const { refreshHours } = this.options;
    if (refreshHours <= 0) {
      this.logger.log(`Tor exit list: ${this.size} addresses from ${this.source}; downloads off`);
      return;
    }
    const periodMs = refreshHours * 3_600_000;
    // A fresh enough copy on disk waits for its turn; anything else is refreshed straight away.
    const age = this.listUpdatedAt ? Date.now() - this.listUpdatedAt.getTime() : Infinity;
    const firstDelay = this.source === 'disk' && age < periodMs ? periodMs - age : 0;
    this.logger.log(
      `Tor exit list: ${this.size} addresses from ${this.source}; next download in ${Math.round(firstDelay / 1000)} s`,
    );
    this.schedule(firstDelay);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort?.abort();
  }

  /** Reads the last good copy on disk, else the shipped snapshot. Synchronous and offline. */
  load(): void {
    if (this.loaded) return;
    this.loaded = true;
    const minEntries = this.options.minEntries ?? DEFAULT_MIN_ENTRIES;
    for (const [path, source] of [
      [this.options.diskCopyPath, 'disk'],
      [this.options.snapshotPath, 'snapshot'],
    ] as const) {
      const read = this.readFile(path);
      if (!read) continue;
      if (read.addresses.size < minEntries && source === 'disk') {
        this.logger.warn(`Ignoring ${path}: only ${read.addresses.size} addresses`);
        continue;
      }
      this.swap(read.addresses, read.updatedAt ?? read.mtime, source);
      return;
    }
    this.logger.warn('No Tor exit list on disk and no snapshot: Tor enrichment matches nothing');
  }

  /** Downloads the list once; on any failure the current list stays. Concurrent calls share one download. */
  refresh(): Promise<RefreshOutcome> {
    this.inFlight ??= this.download().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async download(): Promise<RefreshOutcome> {
    const { url } = this.options;
    const minEntries = this.options.minEntries ?? DEFAULT_MIN_ENTRIES;
    this.abort = new AbortController();
    let body: string;
    try {
      const response = await this.http.get<string>(url, {
        timeout: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        responseType: 'text',
        transformResponse: [(data: unknown) => data],
        maxContentLength: MAX_RESPONSE_BYTES,
        signal: this.abort.signal,
        headers: { accept: 'text/plain' },
      });
      body = typeof response.data === 'string' ? response.data : String(response.data);
    } catch (error) {
      return this.failed(`download failed: ${describeError(error)}`);
    } finally {
      this.abort = undefined;
    }
    const { addresses } = parseExitList(body);
    if (addresses.size < minEntries) {
      return this.failed(
        `refused a list of ${addresses.size} addresses (fewer than ${minEntries})`,
      );
    }
    const now = new Date();
    this.swap(addresses, now, 'network');
    this.logger.log(`Tor exit list refreshed: ${addresses.size} addresses`);
    await this.persist(addresses, now);
    return { ok: true, size: addresses.size };
  }

  private failed(reason: string): RefreshOutcome {
    this.logger.warn(`Tor exit list kept (${this.size} addresses from ${this.source}): ${reason}`);
    return { ok: false, reason };
  }

  private swap(addresses: Set<string>, updatedAt: Date | null, source: TorListSource): void {
    this.list = addresses;
    this.listUpdatedAt = updatedAt;
    this.listSource = source;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.refresh().then((outcome) => {
        const periodMs = this.options.refreshHours * 3_600_000;
        this.schedule(outcome.ok ? periodMs : Math.min(periodMs, RETRY_AFTER_FAILURE_MS));
      });
    }, delayMs);
    this.timer.unref();
  }

  private async persist(addresses: Set<string>, updatedAt: Date): Promise<void> {
    const path = this.options.diskCopyPath;
    const temporary = `${path}.${process.pid}.tmp`;
    const text = [
      `# Tor exit list downloaded from ${this.options.url}`,
      `# updated_at: ${updatedAt.toISOString()}`,
      ...addresses,
      '',
    ].join('\n');
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(temporary, text, { mode: 0o644 });
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      this.logger.warn(`Cannot keep the Tor exit list in ${path}: ${describeError(error)}`);
    }
  }

  private readFile(path: string): (ParsedExitList & { mtime: Date }) | null {
    try {
      const text = readFileSync(path, 'utf8');
      return { ...parseExitList(text), mtime: statSync(path).mtime };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.warn(`Cannot read ${path}: ${describeError(error)}`);
      }
      return null;
    }
  }
}

function describeError(error: unknown): string {
  if (axios.isAxiosError(error)) {
    return error.response ? `HTTP ${error.response.status}` : (error.code ?? error.message);
  }
  return error instanceof Error ? error.message : String(error);
}
