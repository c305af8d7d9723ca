import { Module } from '@nestjs/common';
import { ContextSeeder } from './context-seeder.js';
import { ContextController } from './context.controller.js';
import { ContextRepository } from './context.repository.js';
import { ContextService } from './context.service.js';

@Module({
  controllers: [ContextController],
  providers: [ContextRepository, ContextService, ContextSeeder],
  exports: [ContextRepository],
})
export class ContextModule {}
