export * from './eventually';
export * from './session-completed.factory';
export * from './topic-recorder';
