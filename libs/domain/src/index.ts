export * from './rules/gamification-rules';
export * from './time/local-date';
export * from './xp/session-xp';
export * from './levels/level-curve';
export * from './streaks/streak-calculator';
export * from './badges/badge-rules';
export * from './challenges/daily-challenges';
export * from './session-completed/session-completed.decider';
