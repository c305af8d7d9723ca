import { countryCode, normaliseAsnRecord, normaliseCityRecord } from './geoip-record.js';

describe(normaliseCityRecord.name, () => {
  it('reads the flat DB-IP / ip-location-db shape', () => {
    const record = {
      city: 'Mountain View',
      country_code: 'US',
      latitude: 37.422,
      longitude: -122.085,
      postcode: '',
      state1: 'California',
      state2: '',
      timezone: '',
    };
    expect(normaliseCityRecord(record)).toEqual({
      country_code: 'US',
      region: 'California',
      city: 'Mountain View',
      latitude: 37.422,
      longitude: -122.085,
      timezone: null,
    });
  });

  it("reads MaxMind's nested GeoIP2 City shape, preferring English names", () => {
    const record = {
      city: { geoname_id: 2147714, names: { de: 'Sydney', en: 'Sydney' } },
      continent: { code: 'OC', names: { en: 'Oceania' } },
      country: { geoname_id: 2077456, iso_code: 'AU', names: { en: 'Australia' } },
      location: {
        accuracy_radius: 1000,
        latitude: -33.8688,
        longitude: 151.209,
        time_zone: 'Australia/Sydney',
      },
      registered_country: { iso_code: 'AU', names: { en: 'Australia' } },
      subdivisions: [{ iso_code: 'NSW', names: { en: 'New South Wales' } }],
    };
    expect(normaliseCityRecord(record)).toEqual({
      country_code: 'AU',
      region: 'New South Wales',
      city: 'Sydney',
      latitude: -33.8688,
      longitude: 151.209,
      timezone: 'Australia/Sydney',
    });
  });

  it('falls back to the registered country and to a non-English name in the nested shape', () => {
    const record = {
      registered_country: { iso_code: 'de' },
      city: { names: { fr: 'Francfort' } },
      location: { latitude: 50.1 },
    };
    expect(normaliseCityRecord(record)).toEqual({
      country_code: 'DE',
      region: null,
      city: 'Francfort',
      latitude: 50.1,
      longitude: null,
      timezone: null,
    });
  });

  it("rounds coordinates to four decimal places, dropping a single-precision float's noise", () => {
    const record = {
      country_code: 'US',
      latitude: 40.33919906616211,
      longitude: -76.42620086669922,
    };
    expect(normaliseCityRecord(record)).toMatchObject({ latitude: 40.3392, longitude: -76.4262 });
  });

  it('answers null for no record', () => {
    expect(normaliseCityRecord(null)).toBeNull();
    expect(normaliseCityRecord(undefined)).toBeNull();
  });
});

describe(countryCode.name, () => {
  it.each([
    ['us', 'US'],
    ['AU', 'AU'],
    ['ZZ', null],
    ['', null],
    ['USA', null],
    [42, null],
  ])('reads %j as %j', (input, expected) => {
    expect(countryCode(input)).toBe(expected);
  });
});

describe(normaliseAsnRecord.name, () => {
  it('reads the GeoLite2-ASN shape', () => {
    expect(
      normaliseAsnRecord({
        autonomous_system_number: 15169,
        autonomous_system_organization: 'GOOGLE',
      }),
    ).toEqual({ asn: 15169, as_org: 'GOOGLE' });
  });

  it('answers nulls for no record', () => {
    expect(normaliseAsnRecord(null)).toEqual({ asn: null, as_org: null });
  });
});
