import { registerAs } from '@nestjs/config';
import { processEnvironment } from './environment.js';

export const appConfig = registerAs('app', () => {
  const env = processEnvironment();
  return {
    nodeEnv: env.NODE_ENV,
    production: env.NODE_ENV === 'production',
    demo: env.VIGIL_DEMO,
    port: env.PORT,
    host: env.HOST,
    httpRequestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
    httpKeepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
    logLevel: env.LOG_LEVEL,
    trustProxy: env.TRUST_PROXY,
    shutdownDrainMs: env.SHUTDOWN_DRAIN_SECONDS * 1000,
    shutdownGraceMs: env.SHUTDOWN_GRACE_SECONDS * 1000,
  };
});
export type AppConfig = ReturnType<typeof appConfig>;
