// Request logging, credentials redacted. The request id is Fastify's (see common/request-id.ts),
// which pino-http picks up as `req.id`. The service writes JSON lines (what a log pipeline
// reads); the demo (`npm start`) writes one readable line per event to the person who started it
// (common/pretty-log-stream.ts). Either way Nest's start-up bookkeeping is debug, not info.
import { Logger, Module, RequestMethod } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { LogFn, Logger as PinoLogger } from 'pino';
import type { Options } from 'pino-http';
import { appConfig } from '../config/app.config.js';
import { prettyLogStream } from './pretty-log-stream.js';

/**
 * Nest's contexts that log one line per module, controller and route at start-up (70 lines
 * here) at `log` level: the wiring, not an event. They stay available at LOG_LEVEL=debug.
 */
const WIRING_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
]);
const INFO = 30;

/** pino's logMethod hook: an info line from a wiring context is written at debug instead. */
function wiringAtDebug(
  this: PinoLogger,
  args: Parameters<LogFn>,
  method: LogFn,
  level: number,
): void {
  const [first] = args;
  const context =
    typeof first === 'object' && first ? (first as { context?: unknown }).context : undefined;
  if (level === INFO && typeof context === 'string' && WIRING_CONTEXTS.has(context)) {
    this.debug(...args);
    return;
  }
  method.apply(this, args);
}

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: async (config: ConfigType<typeof appConfig>) => {
        const options: Options = {
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
          hooks: { logMethod: wiringAtDebug },
        };
        // Explicit: the package's default pattern is not matched by the Fastify adapter here.
        const forRoutes = [{ path: '{*splat}', method: RequestMethod.ALL }];
        // NODE_ENV=production keeps JSON even for a demo: whatever runs there is read by machines.
        const pretty = config.demo && !config.production ? await prettyLogStream() : undefined;
        if (config.demo && !config.production && !pretty) {
          new Logger(LoggingModule.name).warn('pino-pretty is not installed: logging JSON lines');
        }
        return { forRoutes, pinoHttp: pretty ? [options, pretty] : options };
      },
    }),
  ],
})
export class LoggingModule {}
