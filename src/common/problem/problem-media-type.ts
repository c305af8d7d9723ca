import type { OpenAPIObject } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem-details.js';

/**
 * Error responses are documented by Nest's decorators as `application/json`; they leave the
 * service as `application/problem+json` (ProblemDetailsFilter), so the document says that.
 */
export function documentProblemMediaType(document: OpenAPIObject): OpenAPIObject {
  for (const methods of Object.values(document.paths)) {
    for (const operation of Object.values(methods) as Array<{ responses?: object }>) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const content = (response as { content?: Record<string, unknown> }).content;
        if (Number(status) < 400 || !content?.['application/json']) continue;
        content[PROBLEM_CONTENT_TYPE] = content['application/json'];
        delete content['application/json'];
      }
    }
  }
  return document;
}
