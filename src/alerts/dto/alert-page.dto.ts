import { ApiProperty } from '@nestjs/swagger';
import { PageMetaDto } from '../../common/pagination/page-meta.dto.js';
import { AlertDto } from './alert.dto.js';

export class AlertPageDto extends PageMetaDto {
  @ApiProperty({ type: [AlertDto] })
  alerts: AlertDto[];
}
