import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_ANALYTICS_DAYS } from '@app/domain';
import { wholeNumber } from '../../validation/whole-number';

const DAYS_MESSAGE = `must be a whole number from 1 to ${MAX_ANALYTICS_DAYS}`;

/** `GET /gamification/analytics` query (contract section 10). */
export class AnalyticsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_ANALYTICS_DAYS, default: 365, description: 'the last this many days, today included' })
  @IsOptional()
  @Transform(wholeNumber)
  @IsInt({ message: DAYS_MESSAGE })
  @Min(1, { message: DAYS_MESSAGE })
  @Max(MAX_ANALYTICS_DAYS, { message: DAYS_MESSAGE })
  days?: number;
}
