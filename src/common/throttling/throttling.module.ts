import { Global, Module } from '@nestjs/common';
import { ClientThrottleGuard } from './client-throttle.guard.js';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage.js';

@Global()
@Module({
  providers: [FixedWindowThrottlerStorage, ClientThrottleGuard],
  exports: [FixedWindowThrottlerStorage, ClientThrottleGuard],
})
export class ThrottlingModule {}
