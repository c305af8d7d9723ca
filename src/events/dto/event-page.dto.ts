import { ApiProperty } from '@nestjs/swagger';
import { PageMetaDto } from '../../common/pagination/page-meta.dto.js';
import { EventDto } from './event.dto.js';

export class EventPageDto extends PageMetaDto {
  @ApiProperty({ type: [EventDto] })
  events: EventDto[];
}
