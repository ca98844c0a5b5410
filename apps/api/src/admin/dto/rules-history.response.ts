import { ApiProperty } from '@nestjs/swagger';
import type { RulesHistoryView, RulesVersionView } from '@app/application';

export class RulesVersionResponse implements RulesVersionView {
  @ApiProperty({ example: 3 }) version!: number;
  @ApiProperty({
    enum: ['in-force', 'being-applied', 'superseded'],
    description: 'being-applied: the newest version, deciding new events already, while `npm run rules -- apply` recomputes the users still on the one before',
  })
  status!: 'in-force' | 'being-applied' | 'superseded';
  @ApiProperty({ example: 'config/rules.yaml', description: 'the file the rules were read from' }) source!: string;
  @ApiProperty({ example: 'ops@host-1' }) appliedBy!: string;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'when every user was on this version' }) completedAt!: string | null;
  @ApiProperty({ description: 'users the apply command recomputed (the worker recomputes those it meets first)' }) usersRecomputed!: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the rules as validated when applied (the rules file’s fields)' }) rules!: unknown;
}

export class RulesHistoryResponse implements RulesHistoryView {
  @ApiProperty({ example: 3, nullable: true, type: Number, description: 'the version deciding new events' }) version!: number | null;
  @ApiProperty({ type: [RulesVersionResponse], description: 'newest first' }) history!: RulesVersionResponse[];
}
