import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'user_badges' })
export class UserBadgeEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 128 }) userId!: string;
  @PrimaryColumn({ name: 'badge_code', type: 'varchar', length: 64 }) badgeCode!: string;
  @Column({ name: 'badge_name', type: 'varchar', length: 200 }) badgeName!: string;
  @Column({ name: 'badge_description', type: 'text' }) badgeDescription!: string;
  @Column({ name: 'awarded_at', type: 'timestamptz' }) awardedAt!: Date;
  @Column({ name: 'source_event_id', type: 'varchar', length: 200 }) sourceEventId!: string;
}
