// The subscription API's side: subscriptions, their delivery log, and the test message.
import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Page } from '../common/pagination/paginate.js';
import { pageRequest, type PageRequest } from '../common/pagination/page-request.js';
import type { PageParams } from '../common/pagination/page-query.dto.js';
import { NotFoundError } from '../common/problem/domain-error.js';
import { DELIVERY_PAGING } from './dto/delivery.dto.js';
import { WebhookDispatcher } from './webhook-dispatcher.service.js';
import {
  type DeliveryRow,
  type DeliveryStatus,
  type SubscriptionFields,
  WebhookRepository,
  type WebhookSubscription,
} from './webhook.repository.js';

/** Bytes of a signing secret (the Standard Webhooks spec asks for 24 to 64). */
const SECRET_BYTES = 32;

@Injectable()
export class WebhooksService {
  constructor(
    private readonly repository: WebhookRepository,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  /** The new subscription and its signing secret (`whsec_<base64>`), which is shown this once. */
  async create(
    fields: SubscriptionFields,
    createdBy: string | null,
  ): Promise<{ subscription: WebhookSubscription; secret: string }> {
    const secret = `whsec_${randomBytes(SECRET_BYTES).toString('base64')}`;
    return { subscription: await this.repository.create(fields, secret, createdBy), secret };
  }

  list(): Promise<WebhookSubscription[]> {
    return this.repository.list();
  }

  async get(id: string): Promise<WebhookSubscription> {
    return found(id, await this.repository.find(id));
  }

  async update(id: string, patch: Partial<SubscriptionFields>): Promise<WebhookSubscription> {
    return found(id, await this.repository.update(id, patch));
  }

  async remove(id: string): Promise<void> {
    if (!(await this.repository.remove(id))) throw new NotFoundError('Webhook', id);
  }

  async deliveries(
    id: string,
    status: DeliveryStatus | undefined,
    paging: PageParams,
  ): Promise<{ page: Page<DeliveryRow>; request: PageRequest }> {
    await this.get(id);
    const request = pageRequest(paging, DELIVERY_PAGING);
    return { page: await this.repository.deliveries(id, status, request), request };
  }

  /**
   * Sends a `webhook.test` message now, once (no retries; a paused subscription too, to see
   * whether its receiver is back), and returns it as the log records it.
   */
  async test(id: string): Promise<DeliveryRow> {
    const claimed = await this.repository.insertTest(id, this.dispatcher.leaseSeconds);
    if (!claimed) throw new NotFoundError('Webhook', id);
    await this.dispatcher.deliver(claimed, true);
    return (await this.repository.delivery(claimed.id))!;
  }
}

function found(id: string, subscription: WebhookSubscription | null): WebhookSubscription {
  if (!subscription) throw new NotFoundError('Webhook', id);
  return subscription;
}
