import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { SEVERITIES, type Severity } from '../../../common/severity.js';
import type { AssetOwner } from '../context.types.js';

export const SOURCE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

export class CreateAssetDto {
  @ApiProperty({
    example: 'firewall',
    pattern: SOURCE_PATTERN.source,
    description: 'the alert source, exactly as alerts carry it',
  })
  @IsString()
  @Matches(SOURCE_PATTERN, {
    message:
      'source must be 1-64 letters, digits, "_", ".", ":" or "-", starting with a letter or digit',
  })
  source: string;

  @ApiProperty({ example: 'network-security', maxLength: 128 })
  @IsString()
  @MaxLength(128)
  @Matches(/\S/, { message: 'owner_team must not be blank' })
  owner_team: string;

  @ApiPropertyOptional({
    enum: SEVERITIES,
    nullable: true,
    description: 'how critical the asset is (case-insensitive)',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.toLowerCase() : value,
  )
  @IsIn(SEVERITIES, { message: `criticality must be one of: ${SEVERITIES.join(', ')}` })
  criticality?: Severity | null;

  @ApiPropertyOptional({ type: String, maxLength: 1000, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string | null;
}

export class AssetDto {
  @ApiProperty({ example: 'firewall' })
  source: string;

  @ApiProperty({ example: 'network-security' })
  owner_team: string;

  @ApiProperty({ enum: SEVERITIES, nullable: true })
  criticality: Severity | null;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  static from(asset: AssetOwner): AssetDto {
    return {
      source: asset.source,
      owner_team: asset.ownerTeam,
      criticality: asset.criticality,
      note: asset.note,
      created_at: asset.createdAt.toISOString(),
    };
  }
}

export class AssetListDto {
  @ApiProperty({ type: [AssetDto] })
  assets: AssetDto[];
}
