import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'rules_versions' })
export class RulesVersionEntity {
  @PrimaryColumn({ type: 'integer' }) version!: number;
  @Column({ type: 'jsonb' }) rules!: unknown;
  @Column({ type: 'varchar', length: 1024 }) source!: string;
  @Column({ name: 'applied_by', type: 'varchar', length: 256 }) appliedBy!: string;
  @Column({ name: 'started_at', type: 'timestamptz' }) startedAt!: Date;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt!: Date | null;
  @Column({ name: 'users_recomputed', type: 'integer', default: 0 }) usersRecomputed!: number;
}
