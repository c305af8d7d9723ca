// Bad and boundary requests generated from the OpenAPI document the service serves: for each
// operation, its path parameters, query parameters, If-Match header and JSON body schema give
// (1) a fixed list of cases, one hostile value at a time in an otherwise plausible request, and
// (2) a fast-check arbitrary that mixes plausible and hostile values everywhere at once.
//
// "Plausible" is built from the schema (its example, enum, format, bounds), not hand-written
// per route, so a new operation or field is fuzzed without touching this file. Values that JSON
// cannot spell (1e400, -0, deep nesting, duplicate keys) travel as raw JSON text.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';

type Schema = Record<string, any>;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: Schema }> };
  security?: Array<Record<string, string[]>>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
  security?: Array<Record<string, string[]>>;
}

/** JSON text placed as-is where a value goes: what JSON.stringify cannot produce. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON text of `value`, with RawJson pieces spliced in. */
export function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Who sends the request: the fuzz mostly goes as an admin, to get past the guards. */
export type Caller = 'admin' | 'analyst' | 'anonymous' | 'forged';

export interface FuzzRequest {
  /** What was varied, for the failure report. */
  label: string;
  method: string;
  /** Path and query string, percent-encoded. */
  path: string;
  caller: Caller;
  headers: Record<string, string>;
  /** Raw body (JSON text unless a header says otherwise; bytes when not even UTF-8). */
  body?: string | Uint8Array<ArrayBuffer>;
}

export interface FuzzOperation {
  operationId: string;
  method: string;
  template: string;
  /** The fixed cases: each hostile value alone. */
  cases: FuzzRequest[];
  /** Random mixes of plausible and hostile values. */
  arbitrary: fc.Arbitrary<FuzzRequest>;
}

/** Real ids per path-parameter name and path prefix, so some requests reach existing rows. */
export type Fixtures = (template: string, parameter: string) => string | undefined;

/**
 * Bodies known to be accepted, per operationId: rules across fields (ids or filter, resolution
 * only with resolved) are not in the schema, so a hostile value placed in a body the schema alone
 * built is often refused for another field first. Placed in these, it reaches the handler.
 */
export type AcceptedBodies = Record<string, unknown[]>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const LONG = 'x'.repeat(10_000);

/** Values hostile to any field whatever its type. */
const ANY_HOSTILE: Array<[string, unknown]> = [
  ['null', null],
  ['true', true],
  ['zero', 0],
  ['minus one', -1],
  ['fraction', 1.5],
  ['huge number', 1e308],
  ['number literal beyond double', new RawJson('1e400')],
  ['negative zero', new RawJson('-0')],
  ['long integer literal', new RawJson('123456789012345678901234567890')],
  ['empty string', ''],
  ['blank string', '   '],
  ['NUL', '\u0000'],
  ['lone surrogate', '\ud800'],
  ['10k characters', LONG],
  ['SQL quote', "' OR '1'='1' --"],
  ['template injection', '${jndi:ldap://x/a}{{7*7}}'],
  ['markup', '<script>alert(1)</script>'],
  ['empty array', []],
  ['array of null', [null]],
  ['empty object', {}],
  ['__proto__ key', new RawJson('{"__proto__":{"polluted":true}}')],
  ['constructor key', { constructor: { prototype: { polluted: true } } }],
];

const STRING_HOSTILE: Array<[string, string]> = [
  ['zero-width spaces', '\u200b'.repeat(24)],
  ['right-to-left override', '\u202eevil'],
  ['combining marks', 'e\u0301\u0301\u0301\u0301'],
  ['emoji', '🛡️👩‍💻'],
  ['control characters', 'a\u0001\u001b[31mb'],
  ['trailing NUL', 'alice\u0000'],
  ['path traversal', '../../etc/passwd'],
  ['percent signs', '%00%ff%'],
];

const DATE_HOSTILE: Array<[string, string]> = [
  ['impossible date', '2024-02-30T00:00:00Z'],
  ['year 0', '0000-01-01T00:00:00Z'],
  ['year 9999', '9999-12-31T23:59:59Z'],
  ['extended year', '+275760-09-13T00:00:00.000Z'],
  ['offset +99:00', '2024-05-01T12:00:00+99:00'],
  ['epoch seconds', '1714564800'],
  ['no zone', '2024-05-01T12:00:00'],
  ['word', 'now'],
];

const UUID_HOSTILE: Array<[string, string]> = [
  ['nil uuid', '00000000-0000-0000-0000-000000000000'],
  ['upper-case uuid', randomUUID().toUpperCase()],
  ['uuid in braces', `{${randomUUID()}}`],
  ['not a uuid', 'not-a-uuid'],
];

/** Path segments, already percent-encoded. */
const PATH_HOSTILE: Array<[string, string]> = [
  ['random uuid', randomUUID()],
  ['empty-ish', '%20'],
  ['encoded NUL', '%00'],
  ['bad percent-encoding', '%ff'],
  ['encoded slash traversal', '..%2f..%2fetc'],
  ['100 characters', 'a'.repeat(100)],
  ['101 characters', 'a'.repeat(101)],
  ['negative number', '-1'],
  ['exponent', '1e9'],
  ['SQL quote', "'%20OR%20'1'%3D'1"],
  ['non-ASCII', '%C3%A9t%C3%A9'],
  ['null word', 'null'],
  ['nil uuid', '00000000-0000-0000-0000-000000000000'],
];

/** Query values, as text before encoding, plus an "encoded as-is" marker for the raw ones. */
const QUERY_HOSTILE: Array<[string, string | string[]]> = [
  ['empty', ''],
  ['blank', '   '],
  ['NUL', '\u0000'],
  ['10k characters', 'q'.repeat(10_000)],
  ['negative', '-1'],
  ['zero', '0'],
  ['fraction', '1.5'],
  ['exponent', '1e3'],
  ['beyond 2^31', '2147483648'],
  ['beyond 2^63', '99999999999999999999'],
  ['hex', '0x10'],
  ['repeated', ['1', '2']],
  ['comma list', 'a,,b,'],
  ['SQL quote', "' OR 1=1 --"],
  ['LIKE wildcards', '%_\\'],
  ['regex', '.*(a+)+$'],
  ['impossible date', '2024-02-30T00:00:00Z'],
  ['extended year', '+275760-09-13T00:00:00Z'],
  ['lone surrogate', '\ud800'],
  ['upper-case enum-ish', 'HIGH'],
];

const IF_MATCH_HOSTILE: Array<[string, string]> = [
  ['star', '*'],
  ['weak', 'W/"1"'],
  ['unquoted', '1'],
  ['list', '"1", "2"'],
  ['empty', '""'],
  ['huge version', '"99999999999999999999"'],
  ['negative', '"-1"'],
  ['lone quote', '"'],
  ['8k characters', `"${'9'.repeat(8000)}"`],
];

export class OpenApiFuzzer {
  constructor(
    private readonly document: OpenApiDocument,
    private readonly fixtures: Fixtures,
    private readonly accepted: AcceptedBodies = {},
  ) {}

  /** Every operation in the document, with its cases and arbitrary. */
  operations(): FuzzOperation[] {
    const operations: FuzzOperation[] = [];
    for (const [template, item] of Object.entries(this.document.paths)) {
      for (const method of METHODS) {
        const operation = item[method];
        if (operation) operations.push(this.operation(template, method.toUpperCase(), operation));
      }
    }
    return operations;
  }

  private operation(template: string, method: string, operation: Operation): FuzzOperation {
    const parameters = operation.parameters ?? [];
    const pathParameters = parameters.filter((p) => p.in === 'path');
    const queryParameters = parameters.filter((p) => p.in === 'query');
    const ifMatch = parameters.find(
      (p) => p.in === 'header' && p.name.toLowerCase() === 'if-match',
    );
    const json = operation.requestBody?.content['application/json'];
    const bodySchema = json?.schema ? this.resolve(json.schema) : undefined;
    const security = operation.security ?? this.document.security ?? [];
    const secured = security.some((requirement) => Object.keys(requirement).length > 0);

    const plausiblePath = Object.fromEntries(
      pathParameters.map((p) => [
        p.name,
        this.fixtures(template, p.name) ?? encode(String(this.valid(p.schema ?? {}))),
      ]),
    );
    const plausibleBody = bodySchema ? this.valid(bodySchema) : undefined;
    const build = (
      label: string,
      parts: {
        path?: Record<string, string>;
        query?: Array<[string, string | string[]]>;
        headers?: Record<string, string>;
        body?: unknown;
        rawBody?: string | Uint8Array<ArrayBuffer>;
        caller?: Caller;
      } = {},
    ): FuzzRequest => {
      const values = { ...plausiblePath, ...parts.path };
      const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => values[name]);
      const query = (parts.query ?? [])
        .flatMap(([name, value]) => [value].flat().map((v) => `${encode(name)}=${encode(v)}`))
        .join('&');
      const headers: Record<string, string> = { ...parts.headers };
      let body = parts.rawBody;
      if (body === undefined && json) {
        const value = 'body' in parts ? parts.body : plausibleBody;
        if (value !== undefined) body = toJson(value);
      }
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      return {
        label,
        method,
        path: query ? `${path}?${query}` : path,
        caller: parts.caller ?? (secured ? 'admin' : 'anonymous'),
        headers,
        body,
      };
    };

    const cases: FuzzRequest[] = [build('plausible request')];
    if (secured) {
      cases.push(build('no token', { caller: 'anonymous' }));
      cases.push(build('forged token', { caller: 'forged' }));
      cases.push(build('analyst token', { caller: 'analyst' }));
    }
    for (const p of pathParameters) {
      for (const [label, value] of PATH_HOSTILE)
        cases.push(build(`path ${p.name}: ${label}`, { path: { [p.name]: value } }));
      for (const [label, value] of this.hostile(p.schema ?? {}))
        if (typeof value === 'string')
          cases.push(build(`path ${p.name}: ${label}`, { path: { [p.name]: encode(value) } }));
    }
    for (const p of queryParameters) {
      const schema = this.resolve(p.schema ?? {});
      for (const [label, value] of [...QUERY_HOSTILE, ...this.queryBoundaries(schema)])
        cases.push(build(`query ${p.name}: ${label}`, { query: [[p.name, value]] }));
    }
    if (queryParameters.length) {
      cases.push(
        build('every query parameter plausible', {
          query: queryParameters.map((p) => [p.name, String(this.valid(p.schema ?? {}))]),
        }),
      );
      cases.push(build('unknown query parameter', { query: [['__proto__[x]', '1']] }));
    }
    if (ifMatch)
      for (const [label, value] of IF_MATCH_HOSTILE)
        cases.push(build(`If-Match: ${label}`, { headers: { 'if-match': value } }));
    if (json) {
      for (const [label, rawBody, contentType] of [
        ['no body', undefined, undefined],
        ['empty body', '', 'application/json'],
        ['malformed JSON', '{"a":', 'application/json'],
        ['JSON null', 'null', 'application/json'],
        ['JSON array', '[]', 'application/json'],
        ['JSON string', '"x"', 'application/json'],
        ['JSON number', '1', 'application/json'],
        ['10,000 nested arrays', `${'['.repeat(10_000)}${']'.repeat(10_000)}`, 'application/json'],
        ['duplicate keys', duplicateKeys(plausibleBody), 'application/json'],
        ['byte-order mark', `\ufeff${toJson(plausibleBody)}`, 'application/json'],
        ['text/plain', toJson(plausibleBody), 'text/plain'],
        ['form-encoded', 'a=1&b=2', 'application/x-www-form-urlencoded'],
        ['charset utf-16', toJson(plausibleBody), 'application/json; charset=utf-16'],
        [
          'JSON with a content type that only looks like it',
          toJson(plausibleBody),
          'application/jsonx',
        ],
        [
          'invalid UTF-8',
          Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
          'application/json',
        ],
      ] as Array<[string, string | Uint8Array<ArrayBuffer> | undefined, string | undefined]>) {
        cases.push(
          build(`body: ${label}`, {
            headers: contentType ? { 'content-type': contentType } : {},
            ...(rawBody === undefined ? { body: undefined } : { rawBody }),
          }),
        );
      }
      // Each hostile value in each base: the schema's plausible body, its required fields only,
      // and the bodies known to be accepted (the same body from two bases is sent once).
      const bases: Array<[string, unknown]> = [
        ['', plausibleBody],
        [' (required fields only)', this.minimal(bodySchema ?? {})],
        ...(this.accepted[operation.operationId] ?? []).map((b, i): [string, unknown] => [
          ` (accepted body ${i + 1})`,
          b,
        ]),
      ];
      const seen = new Set<string>();
      for (const [baseLabel, base] of bases) {
        for (const [label, body] of this.mutations(bodySchema ?? {}, base, '', baseLabel === '')) {
          const text = toJson(body);
          if (seen.has(text)) continue;
          seen.add(text);
          cases.push(build(`body${label}${baseLabel}`, { body }));
        }
      }
    }

    const pathArbitrary = fc.record(
      Object.fromEntries(
        pathParameters.map((p) => [
          p.name,
          fc.oneof(
            { weight: 3, arbitrary: fc.constant(plausiblePath[p.name]) },
            { weight: 1, arbitrary: fc.constantFrom(...PATH_HOSTILE.map(([, v]) => v)) },
          ),
        ]),
      ),
    );
    const queryArbitrary = fc.tuple(
      ...queryParameters.map((p) =>
        fc.option(
          fc.oneof(
            fc.constant(String(this.valid(p.schema ?? {}))),
            fc.constantFrom(...QUERY_HOSTILE.map(([, v]) => v)),
            fc.string({ unit: 'binary', maxLength: 40 }),
          ),
          { nil: undefined, freq: 2 },
        ),
      ),
    );
    const bodyArbitrary = bodySchema
      ? fc.oneof(
          { weight: 9, arbitrary: this.arbitrary(bodySchema, 0) },
          {
            weight: 1,
            arbitrary: fc.jsonValue({ maxDepth: 3 }),
          },
        )
      : fc.constant(undefined);
    const arbitrary = fc
      .record({
        path: pathArbitrary,
        query: queryArbitrary,
        ifMatch: ifMatch
          ? fc.option(fc.constantFrom(...IF_MATCH_HOSTILE.map(([, v]) => v)), { nil: undefined })
          : fc.constant(undefined),
        body: bodyArbitrary,
        caller: secured
          ? fc.constantFrom<Caller>('admin', 'admin', 'admin', 'admin', 'analyst', 'anonymous')
          : fc.constant<Caller>('anonymous'),
      })
      .map(({ path, query, ifMatch: ifMatchValue, body, caller }) =>
        build('generated', {
          path,
          query: queryParameters
            .map((p, i): [string, string | string[] | undefined] => [p.name, query[i]])
            .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined),
          headers: ifMatchValue === undefined ? {} : { 'if-match': ifMatchValue },
          ...(json ? { body } : {}),
          caller,
        }),
      );

    return {
      operationId: operation.operationId,
      method,
      template,
      cases,
      arbitrary,
    };
  }

  /** Follows $ref and single-entry allOf (how Nest wraps a described reference). */
  resolve(schema: Schema): Schema {
    let current = schema;
    for (let hops = 0; hops < 20; hops++) {
      if (typeof current.$ref === 'string') {
        const name = current.$ref.replace('#/components/schemas/', '');
        const target = this.document.components?.schemas?.[name];
        if (!target) throw new Error(`unresolved ${current.$ref}`);
        current = { ...target, ...withoutKeys(current, ['$ref']) };
      } else if (Array.isArray(current.allOf) && current.allOf.length === 1) {
        current = { ...current.allOf[0], ...withoutKeys(current, ['allOf']) };
      } else {
        return current;
      }
    }
    throw new Error('$ref loop');
  }

  /** The non-null JSON types a schema admits. */
  private types(schema: Schema): string[] {
    const s = this.resolve(schema);
    const alternatives = s.anyOf ?? s.oneOf;
    if (Array.isArray(alternatives))
      return [...new Set(alternatives.flatMap((a: Schema) => this.types(a)))];
    if (Array.isArray(s.enum))
      return [...new Set(s.enum.filter((v: unknown) => v !== null).map(jsonType))];
    const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    if (!types.length && s.properties) return ['object'];
    return types.filter((t) => t !== 'null');
  }

  /** A value the schema admits, from its example, enum, format and bounds. */
  valid(schema: Schema, depth = 0): unknown {
    const s = this.resolve(schema);
    if (s.example !== undefined) return s.example;
    if (s.default !== undefined) return s.default;
    if (Array.isArray(s.enum)) return s.enum.find((v: unknown) => v !== null) ?? null;
    const alternatives = s.anyOf ?? s.oneOf;
    if (Array.isArray(alternatives)) {
      const first = alternatives.find((a: Schema) => this.types(a).length > 0);
      return first ? this.valid(first, depth) : null;
    }
    switch (this.types(s)[0]) {
      case 'string':
        if (s.format === 'uuid') return randomUUID();
        if (s.format === 'date-time') return new Date().toISOString();
        if (s.format === 'password') return 'correct horse battery staple';
        return 'x'.repeat(Math.min(Math.max(s.minLength ?? 1, 1), s.maxLength ?? 1));
      case 'integer':
      case 'number':
        return Math.min(Math.max(s.minimum ?? 1, 1), s.maximum ?? Number.MAX_SAFE_INTEGER);
      case 'boolean':
        return true;
      case 'array':
        return depth > 4
          ? []
          : Array.from({ length: Math.max(s.minItems ?? 1, 1) }, () =>
              this.valid(s.items ?? {}, depth + 1),
            );
      case 'object':
        if (depth > 4) return {};
        return Object.fromEntries(
          Object.entries<Schema>(s.properties ?? {}).map(([name, property]) => [
            name,
            this.valid(property, depth + 1),
          ]),
        );
      default:
        return null;
    }
  }

  /** Only the required fields, each plausible (and only its own required fields). */
  minimal(schema: Schema, depth = 0): unknown {
    const s = this.resolve(schema);
    if (this.types(s)[0] !== 'object' || !s.properties || depth > 4) return this.valid(s, depth);
    const required: string[] = s.required ?? [];
    return Object.fromEntries(
      Object.entries<Schema>(s.properties)
        .filter(([name]) => required.includes(name))
        .map(([name, property]) => [name, this.minimal(property, depth + 1)]),
    );
  }

  /** Hostile values for one field: the generic list plus its type's boundaries. */
  hostile(schema: Schema): Array<[string, unknown]> {
    const s = this.resolve(schema);
    const values: Array<[string, unknown]> = [...ANY_HOSTILE];
    const types = this.types(s);
    if (types.includes('string')) {
      values.push(...STRING_HOSTILE);
      if (s.maxLength !== undefined) {
        values.push([`maxLength ${s.maxLength}`, 'x'.repeat(s.maxLength)]);
        values.push([`maxLength ${s.maxLength} + 1`, 'x'.repeat(s.maxLength + 1)]);
        values.push([`maxLength ${s.maxLength} of astral characters`, '𝕏'.repeat(s.maxLength)]);
      }
      if (s.minLength !== undefined) {
        values.push([`minLength ${s.minLength} - 1`, 'x'.repeat(Math.max(s.minLength - 1, 0))]);
        values.push([`minLength ${s.minLength} of blanks`, ' '.repeat(s.minLength + 2)]);
      }
      if (Array.isArray(s.enum)) {
        const first = String(s.enum.find((v: unknown) => typeof v === 'string') ?? 'x');
        values.push(['enum value upper-case', first.toUpperCase()]);
        values.push(['enum value padded', ` ${first} `]);
        values.push(['enum value with NUL', `${first}\u0000`]);
        values.push(['not in the enum', 'nope']);
      }
      if (s.format === 'date-time') values.push(...DATE_HOSTILE);
      if (s.format === 'uuid') values.push(...UUID_HOSTILE);
      values.push(['valid value and NUL', `${String(this.valid(s))}\u0000`]);
    }
    if (types.includes('integer') || types.includes('number')) {
      for (const bound of ['minimum', 'maximum'] as const) {
        if (s[bound] === undefined) continue;
        const step = bound === 'minimum' ? -1 : 1;
        values.push([`${bound} ${s[bound]}`, s[bound]]);
        values.push([`${bound} ${s[bound]} ${step < 0 ? '-' : '+'} 1`, s[bound] + step]);
        values.push([`${bound} ${s[bound]} ${step < 0 ? '-' : '+'} 0.001`, s[bound] + step / 1000]);
      }
      values.push(['2^31', 2 ** 31], ['2^53 + 2', 2 ** 53 + 2], ['numeric string', '10']);
    }
    if (types.includes('array')) {
      const item = this.valid(s.items ?? {});
      if (s.maxItems !== undefined && s.maxItems <= 20_000)
        values.push([
          `maxItems ${s.maxItems} + 1`,
          Array.from({ length: s.maxItems + 1 }, () => item),
        ]);
      values.push(['10,000 nulls', Array.from({ length: 10_000 }, () => null)]);
      values.push(['duplicated item', [item, item]]);
      for (const [label, value] of this.hostile(s.items ?? {}).slice(0, 12))
        values.push([`one item ${label}`, [value]]);
    }
    if (types.includes('object')) {
      values.push([
        'nested 5,000 deep',
        new RawJson(`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`),
      ]);
      values.push(['an extra property', { ...(this.valid(s) as object), unexpected_field: 1 }]);
    }
    return values;
  }

  /**
   * Each hostile value placed alone in `base` at every property (the schema's, present or not)
   * down to the second level, or the property removed; with `replaceWhole` also the whole value.
   */
  private mutations(
    schema: Schema,
    base: unknown,
    at: string,
    replaceWhole: boolean,
  ): Array<[string, unknown]> {
    const s = this.resolve(schema);
    const out: Array<[string, unknown]> = [];
    if (replaceWhole) for (const [label, value] of this.hostile(s)) out.push([`: ${label}`, value]);
    if (!s.properties || base === null || typeof base !== 'object' || Array.isArray(base))
      return out;
    for (const [name, property] of Object.entries<Schema>(s.properties)) {
      const path = `${at}.${name}`;
      const record = base as Record<string, unknown>;
      out.push([
        `${path}: absent`,
        Object.fromEntries(Object.entries(record).filter(([key]) => key !== name)),
      ]);
      for (const [label, value] of this.hostile(property))
        out.push([`${path}: ${label}`, { ...record, [name]: value }]);
      const nested = record[name] ?? this.minimal(property);
      if (
        at.split('.').length < 2 &&
        nested &&
        typeof nested === 'object' &&
        !Array.isArray(nested)
      )
        for (const [label, value] of this.mutations(property, nested, path, false))
          out.push([label, { ...record, [name]: value }]);
    }
    return out;
  }

  /** A query value at and past the parameter's own bounds. */
  private queryBoundaries(schema: Schema): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    if (schema.minimum !== undefined)
      out.push(
        [`minimum ${schema.minimum}`, String(schema.minimum)],
        [`minimum - 1`, String(schema.minimum - 1)],
      );
    if (schema.maximum !== undefined)
      out.push(
        [`maximum ${schema.maximum}`, String(schema.maximum)],
        [`maximum + 1`, String(schema.maximum + 1)],
      );
    if (schema.maxLength !== undefined)
      out.push([`maxLength + 1`, 'x'.repeat(schema.maxLength + 1)]);
    if (Array.isArray(schema.enum))
      out.push(['every enum value as a list', schema.enum.join(',')], ['not in the enum', 'nope']);
    return out;
  }

  /** Mostly plausible, sometimes hostile, at every level of the schema. */
  private arbitrary(schema: Schema, depth: number): fc.Arbitrary<unknown> {
    const s = this.resolve(schema);
    const hostile = fc.constantFrom(...this.hostile(s).map(([, value]) => value));
    let plausible: fc.Arbitrary<unknown> = fc.constant(this.valid(s, depth));
    const types = this.types(s);
    if (Array.isArray(s.enum)) plausible = fc.constantFrom(...(s.enum as unknown[]));
    else if (types[0] === 'object' && s.properties && depth < 3)
      plausible = fc.record(
        Object.fromEntries(
          Object.entries<Schema>(s.properties).map(([name, p]) => [
            name,
            this.arbitrary(p, depth + 1),
          ]),
        ),
        { requiredKeys: [] },
      );
    else if (types[0] === 'array' && depth < 3)
      plausible = fc.array(this.arbitrary(s.items ?? {}, depth + 1), { maxLength: 4 });
    else if (types[0] === 'string' && !s.format && !s.pattern)
      plausible = fc.string({
        unit: 'binary',
        minLength: s.minLength ?? 0,
        maxLength: Math.min(s.maxLength ?? 64, 64),
      });
    else if (types[0] === 'integer')
      plausible = fc.integer({ min: s.minimum ?? -(2 ** 31), max: s.maximum ?? 2 ** 31 });
    else if (types[0] === 'number')
      plausible = fc.double({ min: s.minimum ?? -1e9, max: s.maximum ?? 1e9, noNaN: true });
    return fc.oneof({ weight: 4, arbitrary: plausible }, { weight: 1, arbitrary: hostile });
  }
}

/**
 * Percent-encodes like encodeURIComponent, and a lone surrogate (which it refuses) as the three
 * bytes a careless client would send for it: not valid UTF-8, which is the point.
 */
export function encode(text: string): string {
  return text.replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[^]/gu,
    (c) => {
      try {
        return encodeURIComponent(c);
      } catch {
        const code = c.charCodeAt(0);
        return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
          .map((byte) => `%${byte.toString(16).toUpperCase()}`)
          .join('');
      }
    },
  );
}

function withoutKeys(schema: Schema, keys: string[]): Schema {
  return Object.fromEntries(Object.entries(schema).filter(([k]) => !keys.includes(k)));
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** The object's first member repeated with a hostile value (JSON.parse keeps the last). */
function duplicateKeys(value: unknown): string {
  const text = toJson(value);
  if (!value || typeof value !== 'object' || Array.isArray(value)) return text;
  const [first] = Object.keys(value);
  if (first === undefined) return text;
  return `{${JSON.stringify(first)}:"\\u0000",${text.slice(1)}`;
}
