// RFC 9457 problem details, the body of every 4xx and 5xx Vigil sends.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export class FieldError {
  @ApiProperty({ example: 'description' })
  field: string;

  @ApiProperty({ example: 'description must be longer than or equal to 1 characters' })
  message: string;
}

export class ProblemDetails {
  @ApiProperty({
    example: 'urn:vigil:problem:validation',
    description: 'about:blank for plain HTTP errors',
  })
  type: string;

  @ApiProperty({ example: 'Bad Request' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'The request has 1 invalid field' })
  detail: string;

  @ApiProperty({ example: '/api/users' })
  instance: string;

  @ApiPropertyOptional({ type: [FieldError] })
  errors?: FieldError[];

  [extension: string]: unknown;
}

export function problemType(slug: string): string {
  return `urn:vigil:problem:${slug}`;
}
