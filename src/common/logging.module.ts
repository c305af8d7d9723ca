// JSON-lines request logging, credentials redacted. The request id is Fastify's (see
// common/request-id.ts), which pino-http picks up as `req.id`.
import { Module, RequestMethod } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { appConfig } from '../config/app.config.js';

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (config: ConfigType<typeof appConfig>) => ({
        // Explicit: the package's default pattern is not matched by the Fastify adapter here.
        forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
        pinoHttp: {
          level: config.logLevel,
          // The per-request child logger carries only the request id; the full request is
          // serialised once, on the completion line, instead of eagerly on every request.
          quietReqLogger: true,
          redact: {
            paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
            censor: '[redacted]',
          },
          autoLogging: {
            ignore: (req: IncomingMessage) => req.url?.startsWith('/health/') ?? false,
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
