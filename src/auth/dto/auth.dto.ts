import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { GROUPS, Group } from '../../users/user.js';

export class LoginDto {
  // class-validator checks the decorator nearest the property first: the type before the lengths.
  @ApiProperty({ example: 'admin' })
  @MinLength(1)
  @MaxLength(64)
  @IsString()
  username: string;

  @ApiProperty({ format: 'password' })
  @MinLength(1)
  @MaxLength(256)
  @IsString()
  password: string;
}

export class RefreshTokenDto {
  @ApiProperty({ description: 'The refresh_token from /api/auth/token or the last refresh' })
  @MinLength(1)
  @MaxLength(512)
  @IsString()
  refresh_token: string;
}

export class TokenPairDto {
  @ApiProperty({ description: 'JWT (HS256); send as Authorization: Bearer <access_token>' })
  access_token: string;

  @ApiProperty({ description: 'Opaque; single use: every refresh returns a new one' })
  refresh_token: string;

  @ApiProperty({ enum: ['Bearer'] })
  token_type: 'Bearer';

  @ApiProperty({ description: 'Seconds until access_token expires', example: 900 })
  expires_in: number;
}

export class MeDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  username: string;

  @ApiProperty({ enum: GROUPS, isArray: true })
  groups: Group[];
}
