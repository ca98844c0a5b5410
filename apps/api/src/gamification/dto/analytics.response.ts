import { ApiProperty } from '@nestjs/swagger';

class PracticeTotalsResponse {
  @ApiProperty({ example: 2 }) sessions!: number;
  @ApiProperty({ example: 2700 }) practiceSeconds!: number;
  @ApiProperty({ example: 230 }) xp!: number;
  @ApiProperty({ example: 84, nullable: true, type: Number, description: 'mean score of the scored sessions, to one decimal; null without any' })
  averageScore!: number | null;
}

export class PracticeDayResponse extends PracticeTotalsResponse {
  @ApiProperty({ example: '2026-11-25', format: 'date' }) date!: string;
}

export class PracticeWeekResponse extends PracticeTotalsResponse {
  @ApiProperty({ example: '2026-11-23', format: 'date', description: 'the Monday of the ISO week; a week at the edge counts its days in the range' })
  weekStart!: string;
}

export class ScoreTrendResponse {
  @ApiProperty({ example: '2026-11-25', format: 'date' }) date!: string;
  @ApiProperty({ example: 81.5, description: 'average of the last 10 scored sessions up to and including the day, to one decimal' }) average!: number;
}

export class AnalyticsResponse {
  @ApiProperty({ example: 'Europe/Berlin', description: 'the zone last seen for the caller, else UTC: the days are its' }) timezone!: string;
  @ApiProperty({ type: [PracticeDayResponse], description: 'only days with counted sessions, oldest first' }) days!: PracticeDayResponse[];
  @ApiProperty({ type: [PracticeWeekResponse], description: 'every ISO week of the range, oldest first' }) weeks!: PracticeWeekResponse[];
  @ApiProperty({ type: [ScoreTrendResponse], description: 'each day with a scored session' }) scoreTrend!: ScoreTrendResponse[];
}
