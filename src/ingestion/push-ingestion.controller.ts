import { Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';
import { RequireGroups } from '../auth/access.decorators.js';
import { ProblemDetails } from '../common/problem/problem-details.js';
import { PUSH_MAX_RECORDS, PushAlertsDto, PushResultDto } from './dto/push-alerts.dto.js';
import { PushIngestionService } from './push-ingestion.service.js';
import { PushedRecords } from './pushed-records.decorator.js';

const PUSH_DESCRIPTION = `For sources that push (a SIEM alert action, an EDR webhook): up to \
${PUSH_MAX_RECORDS} records in either upstream shape, run through exactly the sync's pipeline: \
normalised, enriched, deduplicated on \`(source, id)\` (else a fingerprint of the content), and \
stored with origin \`push\`; a record that is not a valid alert is quarantined with the reason. \
The batch is stored in one transaction: all of it or, on an error, none of it.

The answer has one entry per record, in order: \`stored\` (with the new alert's \`id\`), \
\`duplicate\` (with the \`id\` of the alert already stored, also for a repeat of an earlier record \
of the same batch) or \`quarantined\` (with \`reason\`). Re-sending a batch changes nothing: \
every alert is a duplicate, every bad record is quarantined again without a new row, so a sender \
may retry a batch whose answer it did not get.

Only the envelope is refused (400): anything but \`{"alerts": [...]}\` with 1 to \
${PUSH_MAX_RECORDS} records. The body is at most 1 MiB (413): a typical record is about 250 \
bytes, so ${PUSH_MAX_RECORDS} fit unless they average over 1 KiB; send larger records in smaller \
batches.`;

@ApiTags('ingestion')
@Controller('api/ingest')
export class PushIngestionController {
  constructor(private readonly ingestion: PushIngestionService) {}

  @Post('alerts')
  @RequireGroups('ingest', 'admin')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'pushAlerts',
    summary: 'Push a batch of alerts',
    description: PUSH_DESCRIPTION,
  })
  @ApiBody({ type: PushAlertsDto })
  @ApiOkResponse({
    type: PushResultDto,
    description: 'Every record stored, found a duplicate or quarantined',
  })
  @ApiBadRequestResponse({
    type: ProblemDetails,
    description: `Not \`{"alerts": [...]}\` with 1 to ${PUSH_MAX_RECORDS} records; nothing stored`,
  })
  @ApiPayloadTooLargeResponse({
    type: ProblemDetails,
    description: 'The body is over 1 MiB; nothing stored',
  })
  async push(@PushedRecords() records: unknown[]): Promise<PushResultDto> {
    return PushResultDto.from(await this.ingestion.push(records));
  }
}
