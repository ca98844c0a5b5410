/** The profile and leaderboard APIs' shapes (CONTRACT.md sections 5, 8 and 9), as this client reads them. */
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

/** A leaderboard of the rules, as GET /gamification/leaderboards lists them. */
export interface LeaderboardSummary {
  code: string;
  name: string;
  period: 'week' | 'month' | 'all';
}

/** The period a leaderboard page is of: `end` is the instant it ends (exclusive); `final` once it has ended and its ranks no longer change. */
export interface LeaderboardPeriod {
  key: string;
  // The all-time board's period has no bounds: read as possibly null until the api says otherwise.
  start: string | null;
  end: string | null;
  final: boolean;
}

export interface LeaderboardEntry {
  rank: number;
  userId: string;
  xp: number;
}

/** One page of a leaderboard; `me` is null while the caller has no XP in the period. */
export interface Leaderboard {
  code: string;
  name: string;
  period: LeaderboardPeriod;
  participants: number;
  entries: LeaderboardEntry[];
  me: { rank: number; xp: number } | null;
}
