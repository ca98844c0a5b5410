import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

declare const readsOnly: unique symbol;
declare const inTransaction: unique symbol;

/**
 * Where reads run: a transaction, or (UnitOfWork.read) each statement on its own. Opaque outside
 * libs/persistence, so that TypeORM stays in this library; repository methods that only read take it.
 */
export interface Statements {
  readonly [readsOnly]: 'Statements';
}

/**
 * An open database transaction: a use case only hands it to repository methods, so every statement
 * of one decision runs in it. Methods that write or lock take this, never bare Statements.
 */
export interface Transaction extends Statements {
  readonly [inTransaction]: 'Transaction';
}

/** The connection the statements run on; for repositories only (not exported by the library). */
export function statementsOf(statements: Statements): EntityManager {
  return statements as unknown as EntityManager;
}

/** Runs one decision's reads and writes in one transaction. */
@Injectable()
export class UnitOfWork {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Reads that need no transaction: each statement runs on its own, on any pooled connection. */
  read<T>(work: (statements: Statements) => Promise<T>): Promise<T> {
    return work(this.dataSource.manager as unknown as Statements);
  }

  /** Reads that must agree with each other: one read-only transaction, one snapshot for every statement. */
  snapshot<T>(work: (statements: Statements) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      await manager.query('SET TRANSACTION READ ONLY');
      return work(manager as unknown as Statements);
    });
  }

  /** Commits when `work` resolves, rolls back when it throws. */
  run<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(manager as unknown as Transaction));
  }
}
