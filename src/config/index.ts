export { appConfig, type AppConfig } from './app.config.js';
export { authConfig, type AuthConfig } from './auth.config.js';
export { databaseConfig, type DatabaseConfig } from './database.config.js';
export { ConfigurationError, readEnvironment } from './environment.js';
export { enrichmentConfig, type EnrichmentConfig } from './enrichment.config.js';
export { ingestionConfig, type IngestionConfig } from './ingestion.config.js';
export { throttleConfig, type ThrottleConfig } from './throttle.config.js';
export { webhookConfig, type WebhookConfig } from './webhook.config.js';
