import {
  ATTRIBUTES_MAX_BYTES,
  ATTRIBUTES_MAX_DEPTH,
  attributesRule,
  descriptionRule,
  visibleCharacters,
  ipRule,
  nameRule,
  nestsWithin,
  occurredAtRule,
  severityRule,
} from './event-rules.js';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

describe('event field rules', () => {
  describe(nameRule.name, () => {
    it.each(['edr', 'a', 'x'.repeat(64), 'ü'.repeat(64), '😀'.repeat(64)])('accepts %j', (v) => {
      expect(nameRule(v, 'source')).toBeNull();
    });

    it.each<[unknown, RegExp]>([
      ['', /must not be blank/],
      ['x'.repeat(65), /at most 64/],
      ['fire\u0000wall', /control characters/],
      ['tab\there', /control characters/],
      ['half \ud800', /unpaired/],
      [42, /must be a string/],
      [null, /must be a string/],
    ])('refuses %j, naming the field', (value, message) => {
      expect(nameRule(value, 'source')).toMatch(message);
      expect(nameRule(value, 'source')).toMatch(/^source /);
    });
  });

  describe(severityRule.name, () => {
    it.each(['low', 'medium', 'high', 'critical'])('accepts %s', (v) => {
      expect(severityRule(v, 'severity')).toBeNull();
    });
    it.each(['HIGH', 'urgent', '', 3, null])('refuses %j (the DTO lower-cases first)', (v) => {
      expect(severityRule(v, 'severity')).toMatch(/^severity must be one of/);
    });
  });

  describe(descriptionRule.name, () => {
    it('accepts 1 to 5000 characters, multi-line, for low to high', () => {
      for (const severity of ['low', 'medium', 'high']) {
        expect(descriptionRule('x', 'description', severity)).toBeNull();
        expect(descriptionRule('a\nb\tc', 'description', severity)).toBeNull();
      }
      expect(descriptionRule('😀'.repeat(5000), 'description', 'low')).toBeNull();
    });

    it.each<[unknown, RegExp]>([
      ['', /must not be blank/],
      ['x'.repeat(5001), /at most 5000/],
      ['nul\u0000', /NUL/],
      ['half \udc00', /unpaired/],
      [['x'], /must be a string/],
    ])('refuses %j', (value, message) => {
      expect(descriptionRule(value, 'description', 'low')).toMatch(message);
    });

    it('asks 20 non-whitespace characters of a critical event', () => {
      expect(descriptionRule('x'.repeat(20), 'description', 'critical')).toBeNull();
      expect(descriptionRule('0123456789 0123456789', 'description', 'critical')).toBeNull();
      expect(descriptionRule('short', 'description', 'critical')).toMatch(
        /^description of a critical event must have at least 20 non-whitespace, visible characters \(got 5\)$/,
      );
      const padded = ` ${'a b c d e f g h i j k l m n o p q r s'}      `; // 19 letters
      expect(descriptionRule(padded, 'description', 'critical')).toMatch(/got 19/);
      expect(descriptionRule(padded, 'description', 'high')).toBeNull();
    });

    it.each([
      ['zero-width spaces (Cf)', '\u200b'],
      ['zero-width joiners (Cf)', '\u200d'],
      ['word joiners (Cf)', '\u2060'],
      ['byte-order marks (Cf)', '\ufeff'],
      ['right-to-left marks (Cf)', '\u200f'],
      ['soft hyphens (Cf)', '\u00ad'],
      ['no-break spaces (Zs)', '\u00a0'],
      ['ideographic spaces (Zs)', '\u3000'],
      ['line separators (Zl)', '\u2028'],
      ['paragraph separators (Zp)', '\u2029'],
      ['escape characters (Cc)', '\u001b'],
      ['Hangul fillers (default-ignorable)', '\u3164'],
      ['variation selectors (default-ignorable)', '\ufe0f'],
      ['combining acute accents (Mn)', '\u0301'],
    ])('does not count %s as visible', (_, invisible) => {
      const padded = `${invisible.repeat(20)}abc${invisible.repeat(20)}`;
      expect(descriptionRule(padded, 'description', 'critical')).toMatch(/got 3\)$/);
      expect(descriptionRule(invisible.repeat(20), 'description', 'low')).toMatch(
        /^description must not be blank/,
      );
    });

    it('counts visible characters of any script, emoji and a base letter with its accent once', () => {
      expect(visibleCharacters('日本語のアラート')).toBe(8);
      expect(visibleCharacters('🚨🚨')).toBe(2);
      expect(visibleCharacters('e\u0301')).toBe(1);
      expect(visibleCharacters(' a\u200b\tb\n')).toBe(2);
    });
  });

  describe(occurredAtRule.name, () => {
    it.each([
      '2024-05-01T12:00:00Z',
      '2024-05-01T12:05:00Z', // exactly the allowance
      '2024-05-01T14:04:59+02:00',
      '2024-05-01T11:00:00.123456Z',
      '1999-12-31',
    ])('accepts %s', (v) => {
      expect(occurredAtRule(v, 'occurred_at', NOW)).toBeNull();
    });

    it('refuses an instant more than 5 minutes ahead of the clock', () => {
      expect(occurredAtRule('2024-05-01T12:05:00.001Z', 'occurred_at', NOW)).toBe(
        'occurred_at must not be more than 5 minutes in the future',
      );
      expect(occurredAtRule('2024-05-01T14:06:00+02:00', 'occurred_at', NOW)).toMatch(/future/);
    });

    it.each(['yesterday', '2024-05-01T12:00:00', '2024-02-30T00:00:00Z', '', 1714564800, null])(
      'refuses %j',
      (v) => {
        expect(occurredAtRule(v, 'occurred_at', NOW)).toMatch(/^occurred_at must be an ISO 8601/);
      },
    );
  });

  describe(ipRule.name, () => {
    it.each(['10.0.0.1', '185.220.101.1', '::1', '2001:db8::1', 'FE80::1', '::ffff:10.0.0.1'])(
      'accepts %s',
      (v) => {
        expect(ipRule(v, 'src_ip')).toBeNull();
      },
    );
    it.each([
      '10.0.0.256',
      '10.0.0',
      '10.0.0.0/8',
      'fe80::1%eth0',
      ' 10.0.0.1',
      'localhost',
      '',
      42,
    ])('refuses %j', (v) => {
      expect(ipRule(v, 'dst_ip')).toBe('dst_ip must be an IPv4 or IPv6 address');
    });
  });

  describe(attributesRule.name, () => {
    it('accepts an object of exactly 16 KiB as JSON', () => {
      const value = { k: 'x'.repeat(ATTRIBUTES_MAX_BYTES - '{"k":""}'.length) };
      expect(Buffer.byteLength(JSON.stringify(value))).toBe(ATTRIBUTES_MAX_BYTES);
      expect(attributesRule(value, 'attributes')).toBeNull();
      expect(attributesRule({}, 'attributes')).toBeNull();
    });

    it('counts UTF-8 bytes, not characters', () => {
      const value = { k: 'é'.repeat(ATTRIBUTES_MAX_BYTES / 2) }; // 2 bytes each
      expect(attributesRule(value, 'attributes')).toMatch(/at most 16384 bytes as JSON/);
    });

    it.each<[unknown, RegExp]>([
      [[], /must be a JSON object/],
      [[{ a: 1 }], /must be a JSON object/],
      ['{}', /must be a JSON object/],
      [1, /must be a JSON object/],
      [{ k: 'x'.repeat(ATTRIBUTES_MAX_BYTES) }, /at most 16384 bytes/],
      [{ k: 'a\u0000' }, /NUL/],
      [{ ['\u0000']: 1 }, /NUL/],
      [{ k: ['\\\u0000'] }, /NUL/],
      [{ k: 'half \ud800' }, /unpaired/],
    ])('refuses %j', (value, message) => {
      expect(attributesRule(value, 'attributes')).toMatch(message);
    });

    it('takes the text "\\u0000" and whole surrogate pairs as they are', () => {
      expect(attributesRule({ k: '\\u0000 \\ud800 😀' }, 'attributes')).toBeNull();
    });

    it(`refuses nesting deeper than ${ATTRIBUTES_MAX_DEPTH} levels`, () => {
      const nest = (levels: number) => {
        // objects and arrays alternating, one level each, inside the top-level object
        let value: unknown = {};
        for (let i = 2; i < levels; i++) value = i % 2 ? [value] : { x: value };
        return { top: value };
      };
      expect(attributesRule(nest(ATTRIBUTES_MAX_DEPTH), 'attributes')).toBeNull();
      expect(attributesRule(nest(ATTRIBUTES_MAX_DEPTH + 1), 'attributes')).toMatch(
        /more than 32 levels deep/,
      );
    });
  });

  describe(nestsWithin.name, () => {
    it('walks a value far deeper than the call stack without overflowing', () => {
      let value: unknown = 1;
      for (let i = 0; i < 200_000; i++) value = [value];
      expect(nestsWithin(value, 32)).toBe(false);
      expect(nestsWithin({ a: [1, 2], b: { c: null } }, 3)).toBe(true);
      expect(nestsWithin({ a: [1, 2], b: { c: {} } }, 2)).toBe(false);
    });
  });
});
