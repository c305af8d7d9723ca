import { Module } from '@nestjs/common';
import { ApiKeyThrottle } from './api-key-throttle.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';

/** API keys (service accounts): the admin API, and authenticating requests that carry a key. */
@Module({
  controllers: [ApiKeysController],
  providers: [ApiKeysService, ApiKeysRepository, ApiKeyThrottle],
  exports: [ApiKeysService],
})
export class ApiKeysModule {}
