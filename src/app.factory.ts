// Builds the configured application; used by the production entry point, the demo and the e2e
// tests, so all three run the same thing.
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { RouteTable } from './common/http/route-table.js';
import { API_CACHE_CONTROL, isApiPath, SECURITY_HEADERS } from './common/http/security-headers.js';
import { buildOpenApiDocument, mountOpenApi } from './common/openapi/openapi.js';
import { frameworkErrorsHandler, handleClientError } from './common/problem/edge-problems.js';

import { requestId } from './common/request-id.js';

import { processEnvironment } from './config/environment.js';
import { MetricsService } from './metrics/metrics.service.js';

const BODY_LIMIT_BYTES = 1024 * 1024;
/** Node's default, stated: the request line and headers together; larger is a 431. */
const MAX_HEADER_BYTES = 16 * 1024;
/** Fastify's default: ids are UUIDs and sources 64 characters; a longer parameter is a 414. */
const MAX_PARAM_LENGTH = 100;
/** Headers alone must arrive within this (or the whole request's timeout, if shorter). */
const HEADERS_TIMEOUT_MS = 10_000;

export async function createApp(): Promise<NestFastifyApplication> {
  const env = processEnvironment();
  const adapter = new FastifyAdapter({
    trustProxy: env.TRUST_PROXY,
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: requestId,
    // Under routerOptions: the top-level spelling is deprecated (FSTDEP022, a warning on every start).
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Time limits (Fastify leaves the request unbounded): see HTTP_REQUEST_TIMEOUT_SECONDS.
    requestTimeout: env.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
    keepAliveTimeout: env.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
    // Socket inactivity while a request is in progress (a client that stops reading its answer).
    connectionTimeout: env.HTTP_REQUEST_TIMEOUT_SECONDS * 2000,
    http: {
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, env.HTTP_REQUEST_TIMEOUT_SECONDS * 1000),
      // Node checks the two timeouts above on this period (30 s by default, which would let a
      // dripped request live up to 30 s past its limit).
      connectionsCheckingInterval: 1000,
    },
    // What the router and Node's parser refuse before any route runs: problem+json too.
    frameworkErrors: frameworkErrorsHandler(MAX_PARAM_LENGTH),
    clientErrorHandler: handleClientError,
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    if (isApiPath(request.url)) void reply.header('cache-control', API_CACHE_CONTROL);
    done();
  });
  // The API speaks JSON only: other bodies get Fastify's 415 instead of reaching validation as strings.
  // `bodyParser: false` keeps Nest from adding a form (x-www-form-urlencoded) parser beside Fastify's JSON one.
  adapter.getInstance().removeContentTypeParser('text/plain');
  // Request durations by route template; registered before any route so it sees all of them
  // (the 404s included). The service exists once Nest has built the module graph, below.
  const late: { metrics?: MetricsService } = {};
  adapter.getInstance().addHook('onResponse', (request, reply, done) => {
    late.metrics?.observeHttp(
      request.method,
      request.routeOptions.url,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false, // let server.ts report start-up failures it understands in one line
  });
  app.useLogger(app.get(Logger));
  app.useSecurityHeaders(SECURITY_HEADERS);
  late.metrics = app.get(MetricsService);
  // Nest registers its routes at listen, after this: the table sees every one of them.
  const routes = app.get(RouteTable);
  adapter.getInstance().addHook('onRoute', (route) => routes.add(route.method, route.url));

  // Exit 0 once closed: the default re-raises the signal, so a clean stop would look like a kill (143).
  app.enableShutdownHooks([], { useProcessExit: true });
  mountOpenApi(app, buildOpenApiDocument(app));
  return app;
}
