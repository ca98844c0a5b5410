import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'user_profiles' })
export class UserProfileEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 128 }) userId!: string;
  @Column({ name: 'total_xp', type: 'integer' }) totalXp!: number;
  @Column({ type: 'integer' }) level!: number;
  @Column({ name: 'sessions_completed', type: 'integer' }) sessionsCompleted!: number;
  @Column({ name: 'best_score', type: 'double precision', nullable: true }) bestScore!: number | null;
  @Column({ name: 'current_streak', type: 'integer' }) currentStreak!: number;
  @Column({ name: 'longest_streak', type: 'integer' }) longestStreak!: number;
  @Column({ name: 'last_practice_date', type: 'date', nullable: true }) lastPracticeDate!: string | null;
  @Column({ name: 'freezes_held', type: 'integer' }) freezesHeld!: number;
  @Column({ name: 'frozen_days', type: 'date', array: true }) frozenDays!: string[];
  @Column({ name: 'streak_warned_on', type: 'date', nullable: true }) streakWarnedOn!: string | null;
  @Column({ name: 'streak_day_ends_through', type: 'date', nullable: true }) streakDayEndsThrough!: string | null;
  @Column({ name: 'streak_due_at', type: 'timestamptz', nullable: true }) streakDueAt!: Date | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) timezone!: string | null;
  /** The XP of each node of the skill tree a counted session reached: { [code]: xp }. */
  @Column({ name: 'skill_xp', type: 'jsonb' }) skillXp!: Record<string, number>;
  @Column({ name: 'rules_version', type: 'integer', nullable: true }) rulesVersion!: number | null;
  @Column({ name: 'xp_reached_at', type: 'timestamptz', nullable: true }) xpReachedAt!: Date | null;
  @Column({ name: 'xp_revision', type: 'bigint' }) xpRevision!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
