import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
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
import { RequireGroups } from '../auth/access.decorators.js';
import { ConflictError, NotFoundError } from '../common/problem/domain-error.js';
import { ProblemDetails } from '../common/problem/problem-details.js';
import { UUID_PARAM } from '../common/validation/uuid-param.js';
import { isUniqueViolation } from '../database/database.js';
import { CorrelationRulesRepository } from './correlation-rules.repository.js';
import {
  CorrelationRuleDto,
  CorrelationRuleListDto,
  CreateCorrelationRuleDto,
  UpdateCorrelationRuleDto,
} from './dto/correlation-rule.dto.js';

const RULES_DESCRIPTION = `Alerts are grouped as they are stored (sync, events, push), in the \
transaction that stores them: an alert goes to the first enabled rule (by \`position\`) whose key \
fields it all has, into the open incident of that key whose window holds its \`created_at\`, or \
into a new one whose window starts at it. A change applies to alerts stored after it; grouped \
alerts stay where they are.`;

/** A second rule may not take a name in use (any case). */
async function named<T>(work: () => Promise<T>, name: string | undefined): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`A correlation rule is named ${name}`);
    throw error;
  }
}

@ApiTags('incidents')
@RequireGroups('admin')
@Controller('api/correlation-rules')
export class CorrelationRulesController {
  constructor(private readonly rules: CorrelationRulesRepository) {}

  @Get()
  @ApiOperation({
    operationId: 'listCorrelationRules',
    summary: 'The correlation rules, in the order they are tried',
    description: RULES_DESCRIPTION,
  })
  @ApiOkResponse({ type: CorrelationRuleListDto })
  async list(): Promise<CorrelationRuleListDto> {
    return { rules: (await this.rules.list()).map((rule) => CorrelationRuleDto.from(rule)) };
  }

  @Post()
  @ApiOperation({ operationId: 'createCorrelationRule', summary: 'Add a correlation rule' })
  @ApiCreatedResponse({ type: CorrelationRuleDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiConflictResponse({ type: ProblemDetails, description: 'A rule has this name' })
  async create(@Body() body: CreateCorrelationRuleDto): Promise<CorrelationRuleDto> {
    const rule = await named(
      () => this.rules.create({ ...body, enabled: body.enabled ?? true }),
      body.name,
    );
    return CorrelationRuleDto.from(rule);
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateCorrelationRule', summary: 'Change a correlation rule' })
  @ApiOkResponse({ type: CorrelationRuleDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  @ApiConflictResponse({ type: ProblemDetails, description: 'A rule has this name' })
  async update(
    @Param('id', UUID_PARAM) id: string,
    @Body() body: UpdateCorrelationRuleDto,
  ): Promise<CorrelationRuleDto> {
    const rule = await named(() => this.rules.update(id, body), body.name);
    if (!rule) throw new NotFoundError('Correlation rule', id);
    return CorrelationRuleDto.from(rule);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteCorrelationRule',
    summary: 'Delete a correlation rule; its incidents stay, and take no more alerts',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ProblemDetails })
  async remove(@Param('id', UUID_PARAM) id: string): Promise<void> {
    if (!(await this.rules.remove(id))) throw new NotFoundError('Correlation rule', id);
  }
}
