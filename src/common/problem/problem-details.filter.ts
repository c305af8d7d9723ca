// The one place errors become HTTP: every 4xx/5xx leaves as application/problem+json, and nothing
// internal (stack, SQL, driver messages) reaches the body.
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  isDatabaseUnavailable,
} from '../../database/database-unavailable.js';
import { RouteTable } from '../http/route-table.js';
import { ValidationFailedException } from '../validation/validation-failed.exception.js';
import { isUniqueViolation } from '../../database/database.js';
import { DomainError, InvalidInputError } from './domain-error.js';
import { loggableError } from './loggable-error.js';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, problemType } from './problem-details.js';

interface Mapped {
  status: number;
  type: string;
  detail: string;
  extensions?: Record<string, unknown>;
  retryAfterSeconds?: number;
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  constructor(private readonly routes: RouteTable) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    let mapped = this.map(exception);

    // No route matched: if the path exists under other methods, the method is what is wrong.
    if (mapped.status === 404 && request.routeOptions?.url === undefined) {
      // Nest's "Cannot GET /path?query" would echo the query string (tokens included) back.
      mapped = { ...mapped, detail: 'Nothing is served at this path' };
      const path = request.url.split('?')[0];
      const allowed = this.routes.allowed(path);
      // (A route of this very method that answered 404 itself, e.g. a missing static file, stays 404.)
      if (allowed.length > 0 && !allowed.includes(request.method)) {
        void reply.header('allow', allowed.join(', '));
        mapped = {
          status: 405,
          type: 'about:blank',
          detail: `${request.method} is not allowed on ${path}; it answers ${allowed.join(', ')}`,
        };
      }
    }

    if (mapped.status >= 500) {
      // The path, not the URL, and a database error without its parameters or the driver's
      // message: both can carry what the caller submitted (search terms, a value out of range).
      const where = { method: request.method, path: request.url.split('?')[0] };
      if (exception instanceof DomainError) {
        // A deliberate answer with its own explanation (upstream unreachable, not ready).
        if (!exception.quiet)
          this.logger.warn(
            { ...where, status: mapped.status, type: exception.slug },
            `Answered ${mapped.status}: ${exception.message}`,
          );
      } else if (isDatabaseUnavailable(exception)) {
        // An outage is one cause answered many times: a warning per request, no stack.
        this.logger.warn(
          { ...where, code: (exception as { code?: string }).code },
          'Database unavailable while serving a request',
        );
      } else {
        this.logger.error(
          { ...where, err: loggableError(exception) },
          'Unhandled error while serving a request',
        );
      }
    }
    if (mapped.retryAfterSeconds) {
      void reply.header('retry-after', String(mapped.retryAfterSeconds));
    } else if (mapped.status === 429) {
      void reply.header('retry-after', '1');
    }
    if (mapped.status === 401) {
      void reply.header('www-authenticate', 'Bearer realm="vigil"');
    }
    const body: ProblemDetails = {
      type: mapped.type,
      title: STATUS_CODES[mapped.status] ?? 'Error',
      status: mapped.status,
      detail: mapped.detail,
      instance: request.url.split('?')[0],
      ...mapped.extensions,
    };
    void reply.status(mapped.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
  }

  private map(exception: unknown): Mapped {
    if (exception instanceof ValidationFailedException || exception instanceof InvalidInputError) {
      return {
        status: 400,
        type: problemType('validation'),
        detail: exception.message,
        extensions: { errors: exception.errors },
      };
    }
    if (exception instanceof DomainError) {
      return {
        status: exception.status,
        type: problemType(exception.slug),
        detail: exception.message,
        extensions: exception.extensions,
        retryAfterSeconds: exception.retryAfterSeconds,
      };
    }
    if (exception instanceof HttpException) {
      return { status: exception.getStatus(), type: 'about:blank', detail: httpDetail(exception) };
    }
    // The database is gone: our outage, not the caller's error (a guard would otherwise say 401).
    if (isDatabaseUnavailable(exception)) {
      return {
        status: 503,
        type: problemType('database-unavailable'),
        detail: 'The database cannot be reached; retry shortly',
        retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
      };
    }
    if (isUniqueViolation(exception)) {
      return {
        status: 409,
        type: problemType('conflict'),
        detail: 'The request conflicts with an existing resource',
      };
    }
    const status = fastifyClientErrorStatus(exception);
    if (status) return { status, type: 'about:blank', detail: (exception as Error).message };
    return { status: 500, type: 'about:blank', detail: 'An unexpected error occurred' };
  }
}

function httpDetail(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** Fastify's own 4xx (bad JSON, wrong content type, body too large) carry a statusCode. */
function fastifyClientErrorStatus(exception: unknown): number | undefined {
  if (!(exception instanceof Error)) return undefined;
  const { statusCode, code } = exception as Error & { statusCode?: number; code?: string };
  const fromFastify = typeof code === 'string' && code.startsWith('FST_');
  return fromFastify && statusCode && statusCode >= 400 && statusCode < 500
    ? statusCode
    : undefined;
}
