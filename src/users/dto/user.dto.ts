import { ApiProperty } from '@nestjs/swagger';
import { GROUPS, Group, User } from '../user.js';

export class UserDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'alice' })
  username: string;

  @ApiProperty({ enum: GROUPS, isArray: true })
  groups: Group[];

  @ApiProperty()
  is_active: boolean;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  static from(user: User): UserDto {
    return {
      id: user.id,
      username: user.username,
      groups: user.groups,
      is_active: user.isActive,
      created_at: user.createdAt.toISOString(),
      updated_at: user.updatedAt.toISOString(),
    };
  }
}

export class UserListDto {
  @ApiProperty({ type: [UserDto] })
  users: UserDto[];
}
