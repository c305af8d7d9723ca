import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { databaseConfig } from '../config/database.config.js';
import {
  dataSourceOptions,
  resolveDatabaseEndpoint,
  type DatabaseEndpoint,
} from './data-source.js';

export const DATABASE_ENDPOINT = Symbol('DATABASE_ENDPOINT');

@Module({
  providers: [
    {
      provide: DATABASE_ENDPOINT,
      inject: [databaseConfig.KEY],
      useFactory: (config: ConfigType<typeof databaseConfig>) => resolveDatabaseEndpoint(config),
    },
  ],
  exports: [DATABASE_ENDPOINT],
})
class DatabaseEndpointModule implements OnApplicationShutdown {
  constructor(@Inject(DATABASE_ENDPOINT) private readonly endpoint: DatabaseEndpoint) {}

  // Runs after TypeORM's own shutdown hook has closed the pool (this module is imported by it).
  async onApplicationShutdown(): Promise<void> {
    await this.endpoint.embedded?.stop();
  }
}

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [DatabaseEndpointModule],
      inject: [DATABASE_ENDPOINT, databaseConfig.KEY],
      useFactory: (endpoint: DatabaseEndpoint, config: ConfigType<typeof databaseConfig>) => ({
        ...dataSourceOptions(endpoint.url, config.poolSize),
        migrationsRun: config.runMigrations,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
  ],
})
export class DatabaseModule {
  constructor(readonly dataSource: DataSource) {}
}
