import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { wholeNumber } from '../../validation/whole-number';


/** `GET /gamification/leaderboards/{code}` query (contract section 9). */
export class LeaderboardQuery {
  @ApiPropertyOptional({ example: 'current', description: 'current, previous, or a period key: 2026-W48 (week), 2026-11 (month), all', default: 'current' })
  @IsOptional()
  @Matches(/^(current|previous|all|\d{4}-W\d{2}|\d{4}-\d{2})$/, { message: 'must be current, previous or a period key (2026-W48, 2026-11 or all)' })
  period?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @Transform(wholeNumber)
  @IsInt({ message: 'must be a whole number from 1 to 100' })
  @Min(1, { message: 'must be a whole number from 1 to 100' })
  @Max(100, { message: 'must be a whole number from 1 to 100' })
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Transform(wholeNumber)
  @IsInt({ message: 'must be a whole number, 0 or more' })
  @Min(0, { message: 'must be a whole number, 0 or more' })
  @Max(1_000_000_000, { message: 'must be at most 1000000000' })
  offset?: number;

  @ApiPropertyOptional({ enum: ['me'], description: 'the caller and up to 5 above and 5 below, instead of limit and offset' })
  @IsOptional()
  @IsIn(['me'], { message: 'must be me' })
  around?: 'me';
}
