export * from './data-source';
export * from './database-health';
export * from './entities';
export * from './persistence.module';
export * from './repositories/outbox.repository';
export * from './repositories/user-progress.repository';
export * from './transient-database-error';
