import type { components, operations } from './api-schema.generated';

/*
 * The api's shapes as the dashboard names them: its OpenAPI document's schemas, generated from the
 * api's DTOs by `npm run api:types` (the descriptions of the fields are there).
 */
type Schemas = components['schemas'];

export type Profile = Schemas['ProfileResponse'];
export type StreakFreezes = Schemas['StreakFreezesResponse'];
export type Badge = Schemas['BadgeResponse'];
export type BadgeCatalogEntry = Schemas['BadgeCatalogResponse'];
export type Challenge = Schemas['ChallengeResponse'];
export type ClaimedChallenge = Schemas['ClaimChallengeResponse'];

export type LeaderboardList = Schemas['LeaderboardListResponse'];
export type LeaderboardSummary = Schemas['LeaderboardSummaryResponse'];
export type Leaderboard = Schemas['LeaderboardResponse'];
export type LeaderboardPeriod = Schemas['LeaderboardPeriodResponse'];
export type LeaderboardEntry = Schemas['LeaderboardEntryResponse'];
/**
 * Which page of a leaderboard to read (CONTRACT.md section 9): `period` is current, previous or a
 * period's key (2026-W48); then the top `limit` (1 to 100) from `offset`, or with `around: 'me'` the
 * caller and up to 5 above and 5 below.
 */
export type LeaderboardQuery = NonNullable<operations['getLeaderboard']['parameters']['query']>;

export type SkillList = Schemas['SkillsResponse'];
export type Skill = Schemas['SkillResponse'];

export type PracticeAnalytics = Schemas['AnalyticsResponse'];
export type PracticeDay = Schemas['PracticeDayResponse'];
export type PracticeWeek = Schemas['PracticeWeekResponse'];
export type ScoreTrendPoint = Schemas['ScoreTrendResponse'];

export type ErrorBody = Schemas['ErrorResponse'];
export type DevSignIn = Schemas['DevSignInResponse'];
export type DevToken = Schemas['DevTokenResponse'];
