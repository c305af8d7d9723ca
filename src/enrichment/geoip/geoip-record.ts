// MMDB city records come in two shapes: the flat one of DB-IP / ip-location-db (country_code,
// city, state1, latitude…) and MaxMind's nested GeoIP2 one (country.iso_code, city.names.en,
// location.latitude…). Both become one location; ASN records (GeoLite2-ASN shape) likewise.

export interface GeoLocation {
  /** ISO 3166-1 alpha-2, upper case. */
  country_code: string | null;
  region: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
  timezone: string | null;
}

export interface AsnInfo {
  asn: number | null;
  as_org: string | null;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : null;

const number = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/**
 * Degrees to four decimal places (about 11 m). DB-IP stores single-precision floats, whose
 * further digits (40.33919906616211 for 40.3392) are noise that every stored alert would carry.
 */
const coordinate = (value: unknown): number | null => {
  const degrees = number(value);
  return degrees === null ? null : Math.round(degrees * 1e4) / 1e4;
};

/** ISO alpha-2, upper case; anything else (empty, "ZZ" for unknown, longer codes) is null. */
export function countryCode(value: unknown): string | null {
  const code = text(value)?.toUpperCase();
  return code && /^[A-Z]{2}$/.test(code) && code !== 'ZZ' ? code : null;
}

/** `names.en`, else any name, of a GeoIP2 place record. */
function englishName(place: unknown): string | null {
  if (!isObject(place) || !isObject(place.names)) return null;
  const names = place.names;
  return text(names.en) ?? Object.values(names).map(text).find(Boolean) ?? null;
}

function fromGeoIp2(record: Json): GeoLocation {
  const country = isObject(record.country) ? record.country : undefined;
  const registered = isObject(record.registered_country) ? record.registered_country : undefined;
  const location = isObject(record.location) ? record.location : {};
  const subdivisions = Array.isArray(record.subdivisions) ? (record.subdivisions as unknown[]) : [];
  return {
    country_code: countryCode(country?.iso_code) ?? countryCode(registered?.iso_code),
    region: englishName(subdivisions[0]),
    city: englishName(record.city),
    latitude: coordinate(location.latitude),
    longitude: coordinate(location.longitude),
    timezone: text(location.time_zone),
  };
}

function fromFlat(record: Json): GeoLocation {
  return {
    country_code: countryCode(record.country_code),
    region: text(record.state1),
    city: text(record.city),
    latitude: coordinate(record.latitude),
    longitude: coordinate(record.longitude),
    timezone: text(record.timezone),
  };
}

/** Reads either record shape; null for no record. */
export function normaliseCityRecord(record: unknown): GeoLocation | null {
  if (!isObject(record)) return null;
  const nested = isObject(record.country) || isObject(record.location) || isObject(record.city);
  return nested ? fromGeoIp2(record) : fromFlat(record);
}

export function normaliseAsnRecord(record: unknown): AsnInfo {
  if (!isObject(record)) return { asn: null, as_org: null };
  const asn = number(record.autonomous_system_number);
  return {
    asn: asn !== null && Number.isInteger(asn) ? asn : null,
    as_org: text(record.autonomous_system_organization),
  };
}
