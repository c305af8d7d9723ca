import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import type { Group } from '../user.js';
import { GroupsField, PasswordField } from './user-fields.js';
import { IfPresent } from '../../common/validation/if-present.js';

export class UpdateUserDto {
  @IfPresent()
  @GroupsField(false)
  groups?: Group[];

  @IfPresent()
  @PasswordField(false)
  password?: string;

  @ApiPropertyOptional({ description: 'false revokes every token the user holds, at once' })
  @IfPresent()
  @IsBoolean()
  is_active?: boolean;
}
