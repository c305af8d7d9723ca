import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireGroups } from '../auth/access.decorators.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { parseInstant } from '../common/pagination/timestamp.js';
import { ProblemDetails } from '../common/problem/problem-details.js';
import { UUID_PARAM } from '../common/validation/uuid-param.js';
import type { Principal } from '../users/principal.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyDto, ApiKeyListDto, CreatedApiKeyDto } from './dto/api-key.dto.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';

@ApiTags('api-keys')
@RequireGroups('admin')
@Controller('api/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({
    operationId: 'createApiKey',
    summary: 'Create an API key (a service account); the key is in this answer only',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiConflictResponse({ type: ProblemDetails, description: 'A live key has this name' })
  async create(
    @Body() body: CreateApiKeyDto,
    @CurrentUser() creator: Principal,
  ): Promise<CreatedApiKeyDto> {
    const expiresAt = body.expires_at ? new Date(parseInstant(body.expires_at)!.epochMs) : null;
    const created = await this.keys.create(
      { name: body.name, groups: body.groups, expiresAt },
      creator,
    );
    return CreatedApiKeyDto.fromCreated(created);
  }

  @Get()
  @ApiOperation({
    operationId: 'listApiKeys',
    summary: 'Every API key, revoked and expired ones too, with its last use (never the key)',
  })
  @ApiOkResponse({ type: ApiKeyListDto })
  async list(): Promise<ApiKeyListDto> {
    return { api_keys: (await this.keys.list()).map((key) => ApiKeyDto.from(key)) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key: the next request made with it is refused (401)',
  })
  @ApiNoContentResponse({ description: 'Revoked (or already revoked)' })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async revoke(@Param('id', UUID_PARAM) id: string): Promise<void> {
    await this.keys.revoke(id);
  }
}
