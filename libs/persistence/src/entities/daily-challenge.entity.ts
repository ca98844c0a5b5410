import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ChallengeType } from '@app/domain';

@Entity({ name: 'daily_challenges' })
export class DailyChallengeEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ name: 'user_id', type: 'varchar', length: 128 }) userId!: string;
  @Column({ name: 'challenge_date', type: 'date' }) challengeDate!: string;
  @Column({ type: 'varchar', length: 32 }) type!: ChallengeType;
  @Column({ type: 'text' }) description!: string;
  @Column({ type: 'integer' }) target!: number;
  @Column({ name: 'xp_reward', type: 'integer' }) xpReward!: number;
  @Column({ name: 'min_score', type: 'integer', nullable: true }) minScore!: number | null;
  @Column({ type: 'integer' }) progress!: number;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt!: Date | null;
  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true }) claimedAt!: Date | null;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt!: Date;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
