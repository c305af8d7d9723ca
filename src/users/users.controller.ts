import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireGroups } from '../auth/access.decorators.js';
import { ProblemDetails } from '../common/problem/problem-details.js';
import { CreateUserDto } from './dto/create-user.dto.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { UserDto, UserListDto } from './dto/user.dto.js';
import { UsersService } from './users.service.js';
import { UUID_PARAM } from '../common/validation/uuid-param.js';

@ApiTags('users')
@RequireGroups('admin')
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ operationId: 'listUsers', summary: 'Every user, active or not' })
  @ApiOkResponse({ type: UserListDto })
  async list(): Promise<UserListDto> {
    return { users: (await this.users.list()).map((user) => UserDto.from(user)) };
  }

  @Post()
  @ApiOperation({ operationId: 'createUser', summary: 'Create a user' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiConflictResponse({ type: ProblemDetails, description: 'The username is taken' })
  async create(@Body() body: CreateUserDto): Promise<UserDto> {
    return UserDto.from(await this.users.create(body.username, body.password, body.groups));
  }

  @Patch(':id')
  @ApiOperation({
    operationId: 'updateUser',
    summary: "Change a user's groups or password, or deactivate them",
  })
  @ApiOkResponse({ type: UserDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails })
  @ApiConflictResponse({
    type: ProblemDetails,
    description: 'The change would leave no active admin',
  })
  async update(@Param('id', UUID_PARAM) id: string, @Body() body: UpdateUserDto): Promise<UserDto> {
    const user = await this.users.update(id, {
      groups: body.groups,
      password: body.password,
      isActive: body.is_active,
    });
    return UserDto.from(user);
  }
}
