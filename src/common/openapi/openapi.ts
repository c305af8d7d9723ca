// The OpenAPI document: built from the controllers' decorators, served at /docs-json and drawn by
// Swagger UI at /docs. Tools read it as the contract (Redocly lints it, the e2e suite validates
// every response against it), so it says what the service does, not what is convenient.
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { documentProblemMediaType } from '../problem/problem-media-type.js';
import { documentCommonResponses } from './common-responses.js';
import { API_KEY_SCHEME, JWT_SCHEME } from './security-schemes.js';

/**
 * OpenAPI 3.1, whose schemas are JSON Schema 2020-12: a nullable object is
 * `anyOf: [{$ref}, {type: 'null'}]`, which every validator reads alike. (3.0's `nullable: true`
 * beside `allOf: [{$ref}]` still requires the referenced object, so tools refuse a `null`.)
 * @nestjs/swagger converts its `nullable` metadata for 3.1 itself.
 */
export const OPENAPI_VERSION = '3.1.0';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion(OPENAPI_VERSION)
    .setTitle('Vigil')
    .setDescription(
      'Security alert ingestion and triage. Errors are application/problem+json (RFC 9457).',
    )
    .setVersion('0.1.0')
    // Relative to where the document is served: the service itself, whatever its address.
    .addServer('/', 'This service')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, JWT_SCHEME)
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'API key',
        description:
          'An API key (`vgk_…`) from POST /api/api-keys, sent as `Authorization: Bearer <key>`',
      },
      API_KEY_SCHEME,
    )
    .build();
  // As package.json says: private, no licence granted (so neither an SPDX identifier nor a URL).
  config.info.license = { name: 'UNLICENSED' };
  return documentCommonResponses(
    documentProblemMediaType(SwaggerModule.createDocument(app, config)),
  );
}

/** Serves the document at /docs-json and Swagger UI at /docs. */
export function mountOpenApi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
