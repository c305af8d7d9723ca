import { Module } from '@nestjs/common';
import { ContextSeeder } from './context-seeder.js';
import { ContextController } from './context.controller.js';
import { ContextPlugin } from './context.plugin.js';
import { ContextRepository } from './context.repository.js';
import { ContextService } from './context.service.js';

@Module({
  controllers: [ContextController],
  providers: [ContextRepository, ContextService, ContextSeeder, ContextPlugin],
  // The enrichment runs the plugin; the tables stay this module's.
  exports: [ContextPlugin],
})
export class ContextModule {}
