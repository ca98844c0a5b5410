export * from './eventually';
export * from './session-completed.factory';
export * from './topic-recorder';
export * from './session-stream';
export * from './worker-process';
export * from './contract-reference';
export * from './leaderboard-reference';
