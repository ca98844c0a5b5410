import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The idempotency ledger and the session facts: one row per SessionCompleted eventId ever applied,
 * with what it earned and, since facts are kept, what it was (null for rows from before).
 */
@Entity({ name: 'processed_events' })
export class ProcessedEventEntity {
  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 128 }) eventId!: string;
  @Column({ name: 'user_id', type: 'varchar', length: 128 }) userId!: string;
  @Column({ name: 'session_id', type: 'varchar', length: 128 }) sessionId!: string;
  @Column({ type: 'varchar', length: 16 }) source!: string;
  @Column({ type: 'varchar', length: 16, nullable: true }) outcome!: string | null;
  @Column({ name: 'xp_awarded', type: 'integer' }) xpAwarded!: number;
  @Column({ name: 'practice_date', type: 'date', nullable: true }) practiceDate!: string | null;
  @Column({ name: 'processed_at', type: 'timestamptz' }) processedAt!: Date;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt!: Date | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) zone!: string | null;
  @Column({ name: 'local_date', type: 'date', nullable: true }) localDate!: string | null;
  @Column({ name: 'duration_seconds', type: 'integer', nullable: true }) durationSeconds!: number | null;
  @Column({ type: 'float8', nullable: true }) score!: number | null;
  @Column({ type: 'text', array: true, nullable: true }) skills!: string[] | null;
  @Column({ name: 'rules_version', type: 'integer', nullable: true }) rulesVersion!: number | null;
}
