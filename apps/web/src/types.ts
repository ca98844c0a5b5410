/** The profile, leaderboard, skills and analytics APIs' shapes (CONTRACT.md sections 5, 8, 9 and 10), as this client reads them. */
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

/**
 * A skill's mastery: its level, XP past what that level needs, what the next level needs more than
 * this one, and the next level's name. At the top level there is no next one: the api sends 0 and
 * null there (as `xpForNextLevel` at the level cap).
 */
export interface SkillMastery {
  level: number;
  name: string;
  xpIntoMastery: number;
  xpForNextMastery: number;
  nextName: string | null;
}

/** A node of the skill tree (GET /gamification/skills); a parent's figures cover its whole subtree. */
export interface Skill {
  code: string;
  name: string;
  /** The parent's code; null at the top of the tree. */
  parent: string | null;
  xp: number;
  sessions: number;
  /** Null until a scored session lists the skill. */
  averageScore: number | null;
  mastery: SkillMastery;
  lastPracticedAt: string | null;
}

/** A day, YYYY-MM-DD in the user's zone, with counted sessions (days without are left out). */
export interface PracticeDay {
  date: string;
  sessions: number;
  practiceSeconds: number;
  xp: number;
  averageScore: number | null;
}

/** An ISO week of the range, from its Monday; every week of the range is listed, practised or not. */
export interface PracticeWeek {
  weekStart: string;
  sessions: number;
  practiceSeconds: number;
  xp: number;
  averageScore: number | null;
}

/** For a day with a scored session: the average of the last 10 scored sessions up to and including it. */
export interface ScoreTrendPoint {
  date: string;
  average: number;
}

/** GET /gamification/analytics?days=N: the user's practice in their zone. */
export interface PracticeAnalytics {
  timezone: string;
  days: PracticeDay[];
  weeks: PracticeWeek[];
  scoreTrend: ScoreTrendPoint[];
}
