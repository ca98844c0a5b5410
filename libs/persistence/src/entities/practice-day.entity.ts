import { Entity, PrimaryColumn } from 'typeorm';

/** One row per user and local practice date: streaks are computed from this set. */
@Entity({ name: 'practice_days' })
export class PracticeDayEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 128 }) userId!: string;
  @PrimaryColumn({ name: 'practice_date', type: 'date' }) practiceDate!: string;
}
