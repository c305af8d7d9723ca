import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
  type ValidationArguments,
} from 'class-validator';
import { parseCidr } from '../../ip-address.js';
import type { IpUserMapping } from '../context.types.js';

const NOT_BLANK = /\S/;

/** A network in CIDR notation or a single IPv4/IPv6 address, with host bits clear. */
const IsNetwork = () =>
  ValidateBy({
    name: 'isNetwork',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseCidr(value).ok,
      defaultMessage: (args?: ValidationArguments) => {
        const value: unknown = args?.value;
        const result = typeof value === 'string' ? parseCidr(value) : null;
        return `network ${result && !result.ok ? result.reason : 'must be a string'}`;
      },
    },
  });

export class CreateIpUserDto {
  @ApiProperty({
    example: '10.0.0.0/24',
    description: 'IPv4/IPv6 network in CIDR notation, or a single address (stored as /32 or /128)',
  })
  @IsNetwork()
  network: string;

  @ApiProperty({ example: 'alice', maxLength: 128 })
  @IsString()
  @MaxLength(128)
  @Matches(NOT_BLANK, { message: 'user_name must not be blank' })
  user_name: string;

  @ApiPropertyOptional({ type: String, example: 'Finance VLAN', maxLength: 1000, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string | null;
}

export class IpUserDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: '10.0.0.0/24' })
  network: string;

  @ApiProperty({ example: 'alice' })
  user_name: string;

  @ApiProperty({ type: String, nullable: true, example: 'Finance VLAN' })
  note: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  static from(mapping: IpUserMapping): IpUserDto {
    return {
      id: mapping.id,
      network: mapping.network,
      user_name: mapping.userName,
      note: mapping.note,
      created_at: mapping.createdAt.toISOString(),
    };
  }
}

export class IpUserListDto {
  @ApiProperty({ type: [IpUserDto] })
  ip_users: IpUserDto[];
}
