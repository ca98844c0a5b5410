import type { Topics } from '@app/config';

/** The AsyncAPI document's file, from the working directory (docs/asyncapi.yaml). */
export const ASYNCAPI_DOCUMENT_PATH = 'docs/asyncapi.yaml';

/** Each channel of docs/asyncapi.yaml and the topic setting whose name is its address. */
export const ASYNCAPI_CHANNEL_TOPICS: Readonly<Record<string, keyof Topics>> = {
  sessionCompleted: 'sessionCompleted',
  sessionCompletedDeadLetters: 'sessionCompletedDlq',
  badgeAwarded: 'badgeAwarded',
  levelUp: 'levelUp',
  streakAtRisk: 'streakAtRisk',
  streakFrozen: 'streakFrozen',
  streakLost: 'streakLost',
  leaderboardFinished: 'leaderboardFinished',
};
