// Field rules shared by the create and update bodies.
import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { GROUPS } from '../user.entity.js';

export const USERNAME_PATTERN = /^[a-zA-Z0-9._-]{3,64}$/;
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

export const UsernameField = () =>
  applyDecorators(
    ApiProperty({
      example: 'alice',
      pattern: USERNAME_PATTERN.source,
      description: 'case-insensitive; stored lower-case',
    }),
    IsString(),
    Matches(USERNAME_PATTERN, {
      message: 'username must be 3-64 letters, digits, ".", "_" or "-"',
    }),
  );

export const PasswordField = (required = true) =>
  applyDecorators(
    ApiProperty({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX, required, format: 'password' }),
    IsString(),
    MinLength(PASSWORD_MIN),
    MaxLength(PASSWORD_MAX),
  );

export const GroupsField = (required = true) =>
  applyDecorators(
    ApiProperty({ enum: GROUPS, isArray: true, required, example: ['analyst'] }),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(GROUPS.length),
    IsIn(GROUPS, {
      each: true,
      message: `each value in groups must be one of: ${GROUPS.join(', ')}`,
    }),
  );
