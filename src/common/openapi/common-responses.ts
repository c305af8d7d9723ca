import type { OpenAPIObject } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../problem/problem-details.js';

type Responses = Record<string, unknown>;

const problem = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
});

/**
 * The answers no controller decides, documented where the cause is (app.factory.ts's Fastify
 * options, the validation pipe and the problem filter), on every operation they apply to:
 * - any input, even a path parameter of a route that validates nothing else, is refused (400)
 *   when a string holds what PostgreSQL cannot store (NUL, half a surrogate pair);
 * - a path parameter over Fastify's `maxParamLength` (414, before the route runs);
 * - a body Fastify refuses before any route runs: over the body limit (413) or not JSON (415);
 * - any operation can fail (500, a bare problem that says nothing of the cause) or find a
 *   dependency unavailable (503): `5XX` (a status the operation documents itself is more exact).
 */
export function documentCommonResponses(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as Array<{
      requestBody?: unknown;
      parameters?: unknown[];
      responses?: Responses;
    }>) {
      if (!operation?.responses) continue;
      const responses = operation.responses;
      if (operation.requestBody || operation.parameters?.length) {
        responses['400'] ??= problem('A parameter or the body is invalid (`errors` names each)');
      }
      if (operation.parameters?.some((p) => (p as { in?: string }).in === 'path')) {
        responses['414'] ??= problem('A path parameter is longer than any the service holds');
      }
      if (operation.requestBody) {
        responses['413'] ??= problem('The body is larger than the service accepts');
        responses['415'] ??= problem('The body is not application/json');
      }
      responses['5XX'] ??= problem('An unexpected error, or a dependency is unavailable');
    }
  }
  return document;
}
