import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireGroups } from '../../auth/access.decorators.js';
import { ProblemDetails } from '../../common/problem/problem-details.js';
import { ContextService } from './context.service.js';
import { AssetDto, AssetListDto, CreateAssetDto } from './dto/asset.dto.js';
import { CreateIpUserDto, IpUserDto, IpUserListDto } from './dto/ip-user.dto.js';
import { UUID_PARAM } from '../../common/validation/uuid-param.js';

/** The enrichment context: who sits behind internal networks, which team owns each source. */
@ApiTags('context')
@Controller('api/context')
export class ContextController {
  constructor(private readonly context: ContextService) {}

  @Get('ip-users')
  @RequireGroups('admin', 'analyst')
  @ApiOperation({
    operationId: 'listIpUsers',
    summary: 'Network → user mappings, by network',
  })
  @ApiOkResponse({ type: IpUserListDto })
  async listIpUsers(): Promise<IpUserListDto> {
    return { ip_users: (await this.context.listIpUsers()).map((m) => IpUserDto.from(m)) };
  }

  @Post('ip-users')
  @RequireGroups('admin')
  @ApiOperation({
    operationId: 'createIpUser',
    summary: 'Map a network (or one address) to a user; the most specific network wins',
  })
  @ApiCreatedResponse({ type: IpUserDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiConflictResponse({ type: ProblemDetails, description: 'The network is mapped already' })
  async createIpUser(@Body() body: CreateIpUserDto): Promise<IpUserDto> {
    const mapping = await this.context.createIpUser({
      network: body.network,
      userName: body.user_name,
      note: body.note ?? null,
    });
    return IpUserDto.from(mapping);
  }

  @Delete('ip-users/:id')
  @RequireGroups('admin')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteIpUser', summary: 'Delete a network → user mapping' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async deleteIpUser(@Param('id', UUID_PARAM) id: string): Promise<void> {
    await this.context.deleteIpUser(id);
  }

  @Get('assets')
  @RequireGroups('admin', 'analyst')
  @ApiOperation({ operationId: 'listAssets', summary: 'Source → owning team, by source' })
  @ApiOkResponse({ type: AssetListDto })
  async listAssets(): Promise<AssetListDto> {
    return { assets: (await this.context.listAssets()).map((a) => AssetDto.from(a)) };
  }

  @Post('assets')
  @RequireGroups('admin')
  @ApiOperation({ operationId: 'createAsset', summary: 'Name the team owning an alert source' })
  @ApiCreatedResponse({ type: AssetDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiConflictResponse({ type: ProblemDetails, description: 'The source has an owner already' })
  async createAsset(@Body() body: CreateAssetDto): Promise<AssetDto> {
    const asset = await this.context.createAsset({
      source: body.source,
      ownerTeam: body.owner_team,
      criticality: body.criticality ?? null,
      note: body.note ?? null,
    });
    return AssetDto.from(asset);
  }

  @Delete('assets/:source')
  @RequireGroups('admin')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteAsset', summary: "Delete a source's owning team" })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async deleteAsset(@Param('source') source: string): Promise<void> {
    await this.context.deleteAsset(source);
  }
}
