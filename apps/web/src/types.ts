/** The profile API's shapes (CONTRACT.md section 5), as this client reads them. */
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
  sessionsCompleted: number;
  badges: Badge[];
  challenges: Challenge[];
}
