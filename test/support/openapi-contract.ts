// The OpenAPI document as a contract: every response the e2e suite receives (through ApiClient)
// is checked against the document the service serves at /docs-json. Schemas are validated by
// @hyperjump/json-schema's OpenAPI 3.1 dialect (JSON Schema 2020-12 plus OpenAPI's keywords);
// the request is matched to its operation with find-my-way, the router Fastify itself uses.
//
// The rule:
// - A request to a documented operation: its status must be documented for that operation
//   (exactly, as a range like 4XX, or `default`); when the documented response has content, the
//   response's media type must be one of it and a JSON body must validate against its schema;
//   when it has none, the body must be empty.
// - Anything else (the dashboard, /docs, an unknown path's 404, a 405 for a method the path does
//   not serve, HEAD): a 4xx or 5xx must still be application/problem+json and validate against
//   the document's ProblemDetails schema; other statuses are not checked.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { addMediaTypePlugin } from '@hyperjump/browser';
import { BASIC, buildSchemaDocument } from '@hyperjump/json-schema/experimental';
import {
  type OutputUnit,
  setShouldValidateFormat,
  validate,
  type Validator,
} from '@hyperjump/json-schema/openapi-3-1';
import FindMyWay from 'find-my-way';

setShouldValidateFormat(true);

// The validator's own OpenAPI plugin reads the file with Response.json(), whose objects come from
// outside Jest's VM context and fail its plain-object check; this one parses in the spec's realm
// and takes the document as OpenAPI 3.1 with its default dialect, as that plugin does.
const MEDIA_TYPE = 'application/x-vigil-openapi+json';
addMediaTypePlugin(MEDIA_TYPE, {
  parse: async (response) =>
    buildSchemaDocument(
      JSON.parse(await response.text()) as never,
      response.url,
      'https://spec.openapis.org/oas/3.1/schema-base',
    ),
  fileMatcher: (path) => Promise.resolve(path.endsWith('.vigil-openapi.json')),
});

const PROBLEM = 'application/problem+json';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface ReceivedResponse {
  method: string;
  /** Path and query, as requested. */
  path: string;
  status: number;
  headers: Headers;
  /** The parsed JSON body, the text when it is not JSON, undefined when empty. */
  body: unknown;
}

interface MediaType {
  schema?: unknown;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
}
interface Operation {
  operationId?: string;
  responses: Record<string, ResponseObject>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
}

interface Route {
  template: string;
  method: string;
  operation: Operation;
  pointer: string;
}

export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

/** One served document: its router and the validators compiled from it (shared by services serving the same one). */
export class OpenApiContract {
  private readonly router = FindMyWay();
  private readonly validators = new Map<string, Promise<Validator>>();

  private constructor(
    readonly document: OpenApiDocument,
    private readonly fileUrl: string,
  ) {
    for (const [template, item] of Object.entries(document.paths)) {
      for (const method of METHODS) {
        const operation = item[method];
        if (!operation) continue;
        const route: Route = {
          template,
          method: method.toUpperCase(),
          operation,
          pointer: `/paths/${escape(template)}/${method}`,
        };
        const path = template.replace(/\{([^}]+)\}/g, ':$1');
        this.router.on(route.method as FindMyWay.HTTPMethod, path, () => undefined, route);
      }
    }
  }

  private static readonly byText = new Map<string, OpenApiContract>();

  /** The contract for a document's JSON text: written once to a file the validator reads. */
  static of(text: string): OpenApiContract {
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
    let contract = this.byText.get(hash);
    if (!contract) {
      const document = JSON.parse(text) as OpenApiDocument;
      if (!/^3\.1\./.test(document.openapi))
        throw new Error(`expected an OpenAPI 3.1 document, got ${document.openapi}`);
      // The validator tells an OpenAPI document from a plain schema by its name.
      const file = join(tmpdir(), `vigil-${hash}.vigil-openapi.json`);
      writeFileSync(file, text);
      contract = new OpenApiContract(document, pathToFileURL(file).href);
      this.byText.set(hash, contract);
    }
    return contract;
  }

  /** The documented operation a request reaches, if any. */
  route(method: string, path: string): Route | undefined {
    const found = this.router.find(method as FindMyWay.HTTPMethod, path.split('?')[0]);
    return (found?.store as Route | undefined) ?? undefined;
  }

  /** Throws a ContractViolation naming the operation, status and schema error when `res` breaks the document. */
  async check(res: ReceivedResponse): Promise<void> {
    const route = this.route(res.method, res.path);
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (!route) {
      if (res.status < 400) return;
      const what = `${res.method} ${res.path.split('?')[0]} (no documented operation) answered ${res.status}`;
      if (mediaType !== PROBLEM)
        throw new ContractViolation(`${what} as ${mediaType || 'no content type'}, not ${PROBLEM}`);
      await this.checkBody(`${what} ${PROBLEM}`, '/components/schemas/ProblemDetails', res.body);
      return;
    }
    const { operation } = route;
    const what = `${operation.operationId ?? '?'} (${route.method} ${route.template}) answered ${res.status}`;
    const key = [String(res.status), `${String(res.status)[0]}XX`, 'default'].find(
      (k) => k in operation.responses,
    );
    if (!key)
      throw new ContractViolation(
        `${what}, a status the document does not list (it lists ${Object.keys(operation.responses).join(', ')})`,
      );
    const content = operation.responses[key].content;
    if (!content) {
      if (res.body !== undefined)
        throw new ContractViolation(
          `${what} with a ${mediaType || 'body'} body, where the document says no content`,
        );
      return;
    }
    const media = content[mediaType];
    if (!media)
      throw new ContractViolation(
        `${what} as ${mediaType || 'no content type'}; the document lists ${Object.keys(content).join(', ')}`,
      );
    if (media.schema === undefined || !/^application\/(.+\+)?json$/.test(mediaType)) return;
    await this.checkBody(
      `${what} ${mediaType}`,
      `${route.pointer}/responses/${escape(key)}/content/${escape(mediaType)}/schema`,
      res.body,
    );
  }

  private async checkBody(what: string, pointer: string, body: unknown): Promise<void> {
    let validator = this.validators.get(pointer);
    if (!validator) {
      validator = validate(`${this.fileUrl}#${pointer}`);
      this.validators.set(pointer, validator);
    }
    const output = (await validator)(body as never, BASIC);
    if (output.valid) return;
    throw new ContractViolation(
      `${what}, a body the document's schema refuses:\n${describe(output.errors ?? [], body)}`,
    );
  }
}

/** One line per failed keyword: where in the body, which keyword, where in the document, the value. */
function describe(errors: OutputUnit[], body: unknown): string {
  return errors
    .slice(0, 12)
    .map((error) => {
      const keyword = error.keyword.split('/').pop();
      const schemaAt = decodeURIComponent(error.absoluteKeywordLocation.split('#')[1] ?? '');
      const value = JSON.stringify(at(body, error.instanceLocation)) ?? 'undefined';
      return `  ${error.instanceLocation}: ${keyword} (${schemaAt}), value ${value.length > 200 ? `${value.slice(0, 200)}…` : value}`;
    })
    .join('\n');
}

function at(value: unknown, location: string): unknown {
  const tokens = location.replace(/^#/, '').split('/').slice(1);
  return tokens.reduce<unknown>(
    (node, token) =>
      node === null || typeof node !== 'object'
        ? undefined
        : (node as Record<string, unknown>)[
            decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~')
          ],
    value,
  );
}

/** A JSON pointer token, as it goes into a URI fragment. */
function escape(token: string): string {
  return encodeURIComponent(token.replace(/~/g, '~0').replace(/\//g, '~1'));
}

const contracts = new Map<string, Promise<OpenApiContract | null>>();

/**
 * The contract of the service at `baseUrl`: its /docs-json, fetched once per URL. `null` when the
 * URL serves no document (404: not a Vigil service, e.g. the mock upstream).
 */
export function contractOf(baseUrl: string): Promise<OpenApiContract | null> {
  let contract = contracts.get(baseUrl);
  if (!contract) {
    contract = (async () => {
      const res = await fetch(`${baseUrl}/docs-json`);
      if (res.status === 404) return null;
      if (res.status !== 200) throw new Error(`GET ${baseUrl}/docs-json answered ${res.status}`);
      return OpenApiContract.of(await res.text());
    })();
    contracts.set(baseUrl, contract);
    // A failed fetch (the service was stopping) is tried again by the next response.
    contract.catch(() => contracts.delete(baseUrl));
  }
  return contract;
}
