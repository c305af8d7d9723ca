import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireGroups } from '../auth/access.decorators.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { pageMeta } from '../common/pagination/page-request.js';
import { ProblemDetails } from '../common/problem/problem-details.js';
import { UUID_PARAM } from '../common/validation/uuid-param.js';
import type { Principal } from '../users/principal.js';
import { DeliveryDto, DeliveryPageDto, ListDeliveriesQueryDto } from './dto/delivery.dto.js';
import { toWebhookFilter } from './dto/webhook-filter.dto.js';
import {
  CreatedWebhookDto,
  CreateWebhookDto,
  UpdateWebhookDto,
  WebhookDto,
  WebhookListDto,
} from './dto/webhook.dto.js';
import type { SubscriptionFields } from './webhook.repository.js';
import { WebhooksService } from './webhooks.service.js';

const DELIVERY_DESCRIPTION = `Each alert that matches a subscription when it is created (\
\`alert.created\`) or when its status, assignee or resolution changes (\`alert.changed\`) is \
written to the subscription's outbox in the same transaction as the alert, so nothing is sent for \
a change that rolled back and nothing committed is lost. The alerts of one write are batched, up \
to 100 per message: a bulk change of 10,000 alerts is 100 requests.

Each message is a POST signed to the Standard Webhooks spec (\`webhook-id\`, \`webhook-timestamp\`, \
\`webhook-signature\`: \`v1,\` + base64 HMAC-SHA256 of \`id.timestamp.body\` with the secret). The \
\`webhook-id\` (the delivery's id) and the body are the same on every retry: receivers deduplicate \
on the id. Network errors, timeouts, 408, 429 (honouring \`Retry-After\`) and 5xx are retried on \
WEBHOOK_RETRY_SCHEDULE_SECONDS; other answers fail the delivery at once. A subscription whose \
deliveries fail WEBHOOK_PAUSE_AFTER_FAILURES times in a row is paused (\`enabled: false\`, \
\`paused_reason\`); its pending deliveries wait and are sent once it is enabled again.`;

@ApiTags('webhooks')
@RequireGroups('admin')
@Controller('api/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({
    operationId: 'createWebhook',
    summary: 'Subscribe a URL to alerts',
    description: DELIVERY_DESCRIPTION,
  })
  @ApiCreatedResponse({ type: CreatedWebhookDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  async create(
    @Body() body: CreateWebhookDto,
    @CurrentUser() actor: Principal,
  ): Promise<CreatedWebhookDto> {
    const { subscription, secret } = await this.webhooks.create(
      {
        url: body.url,
        events: body.events,
        filter: toWebhookFilter(body.filter),
        format: body.format ?? 'standard',
        enabled: body.enabled ?? true,
      },
      actor.id,
    );
    return { ...WebhookDto.from(subscription), secret };
  }

  @Get()
  @ApiOperation({ operationId: 'listWebhooks', summary: 'Every subscription (without secrets)' })
  @ApiOkResponse({ type: WebhookListDto })
  async list(): Promise<WebhookListDto> {
    return { webhooks: (await this.webhooks.list()).map((s) => WebhookDto.from(s)) };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getWebhook', summary: 'One subscription' })
  @ApiOkResponse({ type: WebhookDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async get(@Param('id', UUID_PARAM) id: string): Promise<WebhookDto> {
    return WebhookDto.from(await this.webhooks.get(id));
  }

  @Patch(':id')
  @ApiOperation({
    operationId: 'updateWebhook',
    summary: 'Change a subscription',
    description:
      '`filter` is replaced whole when given. `enabled: true` also ends a pause and its failure streak.',
  })
  @ApiOkResponse({ type: WebhookDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async update(
    @Param('id', UUID_PARAM) id: string,
    @Body() body: UpdateWebhookDto,
  ): Promise<WebhookDto> {
    const patch: Partial<SubscriptionFields> = {
      url: body.url,
      events: body.events,
      filter: body.filter === undefined ? undefined : toWebhookFilter(body.filter),
      format: body.format,
      enabled: body.enabled,
    };
    return WebhookDto.from(await this.webhooks.update(id, patch));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteWebhook',
    summary: 'Delete a subscription, its pending deliveries and its log',
  })
  @ApiNoContentResponse()
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async remove(@Param('id', UUID_PARAM) id: string): Promise<void> {
    await this.webhooks.remove(id);
  }

  @Get(':id/deliveries')
  @ApiOperation({
    operationId: 'listWebhookDeliveries',
    summary: "A subscription's delivery log, newest first",
    description:
      'Status, attempts, last answer or error and latency of each message. Delivered and failed ' +
      'ones are kept WEBHOOK_LOG_DAYS days.',
  })
  @ApiOkResponse({ type: DeliveryPageDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async deliveries(
    @Param('id', UUID_PARAM) id: string,
    @Query() query: ListDeliveriesQueryDto,
  ): Promise<DeliveryPageDto> {
    const { page, request } = await this.webhooks.deliveries(id, query.status, query);
    return {
      deliveries: page.rows.map((row) => DeliveryDto.from(row)),
      ...pageMeta(page, request),
    };
  }

  @Post(':id/test')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'testWebhook',
    summary: 'Send a test message now',
    description:
      'A `webhook.test` message (no alerts), signed like the others, sent once and at once, ' +
      'also to a paused subscription. The answer is the delivery as the log records it.',
  })
  @ApiOkResponse({ type: DeliveryDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async test(@Param('id', UUID_PARAM) id: string): Promise<DeliveryDto> {
    return DeliveryDto.from(await this.webhooks.test(id));
  }
}
