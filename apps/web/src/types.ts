/** The profile API's shapes (CONTRACT.md sections 5 and 8), as this client reads them. */
export interface Badge {
  code: string;
  name: string;
  description: string;
  earnedAt: string;
}

export interface BadgeCatalogEntry {
  code: string;
  name: string;
  description: string;
  howToEarn: string;
}

export interface Challenge {
  id: string;
  type: string;
  description: string;
  progress: number;
  target: number;
  xpReward: number;
  isCompleted: boolean;
  isClaimed: boolean;
  expiresAt: string;
}

/** The streak freezes held, at most `max` (0: freezes are off), one earned every `earnEveryDays` days of streak. */
export interface StreakFreezes {
  held: number;
  max: number;
  earnEveryDays: number;
}

export interface Profile {
  userId: string;
  level: number;
  totalXp: number;
  xpIntoLevel: number;
  xpForNextLevel: number;
  currentStreak: number;
  longestStreak: number;
  lastPracticeDate: string | null;
  practicedToday: boolean;
  streakFreezes: StreakFreezes;
  /** The frozen days of the current streak, YYYY-MM-DD in the user's zone, oldest first. */
  frozenDays: string[];
  sessionsCompleted: number;
  badges: Badge[];
  challenges: Challenge[];
}
