export * from './database';
export * from './docker';
export * from './kafka';
export * from './kafka-distribution';
export * from './local-kafka-broker';
export * from './progress';
export * from './project-root';
export * from './apps';
