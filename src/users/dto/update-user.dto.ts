import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, ValidateIf } from 'class-validator';
import type { Group } from '../user.entity.js';
import { GroupsField, PasswordField } from './user-fields.js';

// Absent fields are left alone; an explicit null is validated (and refused) like any other value.
const IfPresent = () => ValidateIf((_, value: unknown) => value !== undefined);

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
