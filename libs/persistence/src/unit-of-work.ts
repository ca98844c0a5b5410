import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

declare const opaque: unique symbol;

/**
 * An open database transaction. Opaque outside libs/persistence: a use case only hands it to
 * repository methods, so every statement of one decision runs in it and TypeORM stays in this library.
 */
export interface Transaction {
  readonly [opaque]: 'Transaction';
}

/** The connection a transaction runs its statements on; for repositories only (not exported by the library). */
export function statementsOf(transaction: Transaction): EntityManager {
  return transaction as unknown as EntityManager;
}

/** Runs one decision's reads and writes in one transaction. */
@Injectable()
export class UnitOfWork {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Reads that need no transaction: each statement runs on its own, on any pooled connection. */
  read<T>(work: (statements: Transaction) => Promise<T>): Promise<T> {
    return work(this.dataSource.manager as unknown as Transaction);
  }

  /** Commits when `work` resolves, rolls back when it throws. */
  run<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(manager as unknown as Transaction));
  }
}
