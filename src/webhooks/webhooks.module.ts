import { Module } from '@nestjs/common';
import { WebhookDispatcher } from './webhook-dispatcher.service.js';
import { WebhookRepository } from './webhook.repository.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';

// Subscriptions and the dispatcher that sends their outbox. The outbox itself is written by the
// database (triggers on `alerts`), so no writer of alerts needs to know this module exists.
@Module({
  controllers: [WebhooksController],
  providers: [WebhookRepository, WebhookDispatcher, WebhooksService],
})
export class WebhooksModule {}
