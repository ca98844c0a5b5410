import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The idempotency ledger: one row per SessionCompleted eventId ever applied, with what it earned. */
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
}
