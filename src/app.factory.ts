// Builds the configured application; used by the production entry point, the demo and the e2e
// tests, so all three run the same thing.
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { readEnvironment } from './config/environment.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export async function createApp(): Promise<NestFastifyApplication> {
  const env = readEnvironment();
  const adapter = new FastifyAdapter({ trustProxy: env.TRUST_PROXY, bodyLimit: BODY_LIMIT_BYTES });
  // The API speaks JSON only: other bodies get Fastify's 415 instead of reaching validation as strings.
  adapter.getInstance().removeContentTypeParser('text/plain');
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  setupSwagger(app);
  return app;
}

function setupSwagger(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Vigil')
    .setDescription('Security alert ingestion and triage. Errors are application/problem+json (RFC 9457).')
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
