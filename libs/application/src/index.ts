export * from './application.module';
export * from './apply-session-completed/apply-session-completed.command';
export * from './apply-session-completed/apply-session-completed.use-case';
export * from './clock/clock';
