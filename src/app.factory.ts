// Builds the configured application; used by the production entry point, the demo and the e2e
// tests, so all three run the same thing.
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { RouteTable } from './common/http/route-table.js';
import { buildOpenApiDocument, mountOpenApi } from './common/openapi/openapi.js';

import { requestId } from './common/request-id.js';

import { readEnvironment } from './config/environment.js';
import { MetricsService } from './metrics/metrics.service.js';

const BODY_LIMIT_BYTES = 1024 * 1024;

export async function createApp(): Promise<NestFastifyApplication> {
  const env = readEnvironment();
  const adapter = new FastifyAdapter({
    trustProxy: env.TRUST_PROXY,
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: requestId,
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
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
  late.metrics = app.get(MetricsService);
  // Nest registers its routes at listen, after this: the table sees every one of them.
  const routes = app.get(RouteTable);
  adapter.getInstance().addHook('onRoute', (route) => routes.add(route.method, route.url));

  // Exit 0 once closed: the default re-raises the signal, so a clean stop would look like a kill (143).
  app.enableShutdownHooks([], { useProcessExit: true });
  mountOpenApi(app, buildOpenApiDocument(app));
  return app;
}
