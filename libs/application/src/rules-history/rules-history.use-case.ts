import { Injectable } from '@nestjs/common';
import { RulesVersionsRepository, UnitOfWork } from '@app/persistence';

export interface RulesVersionView {
  readonly version: number;
  /** in-force: the newest, complete; being-applied: the newest, its apply under way (it decides new events already); superseded: older. */
  readonly status: 'in-force' | 'being-applied' | 'superseded';
  readonly source: string;
  readonly appliedBy: string;
  readonly startedAt: string;
  readonly completedAt: string | null;
  readonly usersRecomputed: number;
  readonly rules: unknown;
}

export interface RulesHistoryView {
  /** The version deciding new events; null before a worker or an api first started on the database. */
  readonly version: number | null;
  /** Every version, newest first. */
  readonly history: readonly RulesVersionView[];
}

/** The rules versions with who applied each and when: what operators read from `GET /admin/rules` and `npm run rules -- history`. */
@Injectable()
export class RulesHistoryUseCase {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly versions: RulesVersionsRepository,
  ) {}

  async execute(): Promise<RulesHistoryView> {
    const records = await this.unitOfWork.read((statements) => this.versions.history(statements));
    return {
      version: records.length === 0 ? null : records[0].version,
      history: records.map((record, index) => ({
        version: record.version,
        status: index > 0 ? 'superseded' : record.completedAt === null ? 'being-applied' : 'in-force',
        source: record.source,
        appliedBy: record.appliedBy,
        startedAt: record.startedAt.toISOString(),
        completedAt: record.completedAt?.toISOString() ?? null,
        usersRecomputed: record.usersRecomputed,
        rules: record.rules,
      })),
    };
  }
}
