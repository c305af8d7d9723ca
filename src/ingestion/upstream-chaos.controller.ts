import { Body, Controller, Get, Put } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireGroups } from '../auth/access.decorators.js';
import { ProblemDetails } from '../common/problem/problem-details.js';
import { UpdateUpstreamChaosDto, UpstreamChaosDto } from './dto/upstream-chaos.dto.js';
import { UpstreamChaosService } from './upstream-chaos.service.js';

const NOT_MOCK = 'The upstream has no chaos settings: it is not the mock upstream';
const UNREACHABLE = 'The upstream did not answer, or answered with a server error';

@ApiTags('ingestion')
@RequireGroups('admin')
@Controller('api/upstream/chaos')
export class UpstreamChaosController {
  constructor(private readonly chaos: UpstreamChaosService) {}

  @Get()
  @ApiOperation({
    operationId: 'getUpstreamChaos',
    summary: "The mock upstream's chaos settings",
    description: "Read from the upstream's `GET /config`; only the mock upstream has them.",
  })
  @ApiOkResponse({ type: UpstreamChaosDto })
  @ApiConflictResponse({ type: ProblemDetails, description: NOT_MOCK })
  @ApiBadGatewayResponse({ type: ProblemDetails, description: UNREACHABLE })
  settings(): Promise<UpstreamChaosDto> {
    return this.chaos.settings();
  }

  @Put()
  @ApiOperation({
    operationId: 'updateUpstreamChaos',
    summary: "Change the mock upstream's chaos settings",
    description:
      "A partial update, forwarded to the upstream's `PUT /config`; settings left out keep " +
      'their value. Takes effect on the next upstream request. Answers the settings now in force.',
  })
  @ApiOkResponse({ type: UpstreamChaosDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiConflictResponse({ type: ProblemDetails, description: NOT_MOCK })
  @ApiBadGatewayResponse({ type: ProblemDetails, description: UNREACHABLE })
  update(@Body() body: UpdateUpstreamChaosDto): Promise<UpstreamChaosDto> {
    return this.chaos.update(body);
  }
}
