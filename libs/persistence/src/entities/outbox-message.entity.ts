import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Events decided inside a transaction, published by the relay only after it committed. */
@Entity({ name: 'outbox_messages' })
export class OutboxMessageEntity {
  @PrimaryColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'event_id', type: 'uuid' }) eventId!: string;
  @Column({ type: 'varchar', length: 249 }) topic!: string;
  @Column({ name: 'message_key', type: 'varchar', length: 128 }) messageKey!: string;
  @Column({ type: 'json' }) payload!: Record<string, unknown>;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true }) sentAt!: Date | null;
}
