import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import type { Group } from '../user.entity.js';
import { GroupsField, PasswordField } from './user-fields.js';

export class UpdateUserDto {
  @IsOptional()
  @GroupsField(false)
  groups?: Group[];

  @IsOptional()
  @PasswordField(false)
  password?: string;

  @ApiPropertyOptional({ description: 'false revokes every token the user holds, at once' })
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;
}
