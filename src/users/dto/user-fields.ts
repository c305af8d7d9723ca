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
  ValidateBy,
} from 'class-validator';
import { checkPassword, PASSWORD_MAX, PASSWORD_MIN } from '../password-policy.js';
import { GROUPS } from '../user.js';

export const USERNAME_PATTERN = /^[a-zA-Z0-9._-]{3,64}$/;
export { PASSWORD_MAX, PASSWORD_MIN };

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
    PasswordPolicy(),
  );

/** The password policy (users/password-policy.ts); the body's username, if any, is context. */
const PasswordPolicy = () =>
  ValidateBy({
    name: 'passwordPolicy',
    validator: {
      validate: (value: unknown, args) =>
        typeof value === 'string' && checkPassword(value, usernameOf(args?.object)) === null,
      defaultMessage: (args) => {
        const value: unknown = args?.value;
        const verdict =
          typeof value === 'string' ? checkPassword(value, usernameOf(args?.object)) : null;
        return `${args?.property ?? 'password'} ${verdict?.message ?? 'is not allowed'}`;
      },
    },
  });

const usernameOf = (body: object | undefined): string | undefined => {
  const username: unknown = (body as { username?: unknown } | undefined)?.username;
  return typeof username === 'string' ? username : undefined;
};

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
