import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** SessionCompleted v1 as the internal sync route accepts it (documentation; validated by the contract's own validator). */
export class SessionCompletedRequest {
  @ApiProperty({ minLength: 1, maxLength: 128, description: 'the idempotency key' }) eventId!: string;
  @ApiProperty({ pattern: '^[A-Za-z0-9._:@-]{1,128}$' }) userId!: string;
  @ApiProperty({ minLength: 1, maxLength: 128 }) sessionId!: string;
  @ApiProperty({ format: 'date-time', description: 'RFC 3339 with an offset; at most 5 minutes in the future' })
  completedAt!: string;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 86_400 }) durationSeconds!: number;
  @ApiPropertyOptional({ minimum: 0, maximum: 100 }) score?: number;
  @ApiPropertyOptional({ example: 'Europe/Berlin', description: 'IANA zone' }) timezone?: string;
  @ApiPropertyOptional({
    type: [String],
    maxItems: 10,
    pattern: '^[a-z0-9-]{1,64}$',
    example: ['graphs'],
    description: 'skill codes; repeats count once, and a code the skill tree does not know is ignored',
  })
  skills?: string[];
}
