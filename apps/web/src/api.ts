import type {
  BadgeCatalogEntry,
  ClaimedChallenge,
  DevSignIn,
  DevToken,
  ErrorBody,
  Leaderboard,
  LeaderboardList,
  LeaderboardQuery,
  PracticeAnalytics,
  Profile,
  SkillList,
} from './types';

/** An error answer of the api, with its code and its message in words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What went wrong, in words: the api's message, or a generic one. */
export function errorMessage(error: unknown): string {
  return error instanceof ApiError || error instanceof Error ? error.message : 'Something went wrong.';
}

function leaderboardPath(code: string, { period = 'current', limit, offset, around }: LeaderboardQuery): string {
  const query = new URLSearchParams({ period });
  if (limit !== undefined) {
    query.set('limit', String(limit));
  }
  if (offset !== undefined) {
    query.set('offset', String(offset));
  }
  if (around !== undefined) {
    query.set('around', around);
  }
  return `/gamification/leaderboards/${encodeURIComponent(code)}?${query}`;
}

async function send(path: string, init: RequestInit & { token?: string; accept?: string }): Promise<Response> {
  const headers: Record<string, string> = { Accept: init.accept ?? 'application/json' };
  if (init.token !== undefined) {
    headers.Authorization = `Bearer ${init.token}`;
  }
  if (init.body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, { ...init, headers });
  if (!response.ok) {
    const { code, message } = (await response.json().catch(() => ({}))) as Partial<ErrorBody>;
    throw new ApiError(response.status, code ?? 'ERROR', message ?? `The server answered ${response.status}.`);
  }
  return response;
}

async function call<T>(path: string, init: RequestInit & { token?: string } = {}): Promise<T> {
  const response = await send(path, init);
  return (await response.json().catch(() => ({}))) as T;
}

/** The days of practice the dashboard reads: enough for the calendar's 52 weeks, today's included. */
export const ANALYTICS_DAYS = 365;

export const gamificationApi = {
  profile: (token: string) => call<Profile>('/gamification/profile', { token }),
  badges: (token: string) => call<BadgeCatalogEntry[]>('/gamification/badges', { token }),
  claim: (token: string, challengeId: string) =>
    call<ClaimedChallenge>(`/gamification/claim-challenge/${encodeURIComponent(challengeId)}`, { method: 'POST', token }),
  leaderboards: (token: string) => call<LeaderboardList>('/gamification/leaderboards', { token }).then((answer) => answer.leaderboards),
  leaderboard: (token: string, code: string, query: LeaderboardQuery = {}) => call<Leaderboard>(leaderboardPath(code, query), { token }),
  /** An earned badge as an Open Badges 3.0 credential: the signed VC-JWT, as a wallet or LinkedIn takes it. */
  badgeCredential: (token: string, code: string) =>
    send(`/gamification/badges/${encodeURIComponent(code)}/credential`, { token, accept: 'application/vc+jwt' }).then((response) => response.text()),
  skills: (token: string) => call<SkillList>('/gamification/skills', { token }).then((answer) => answer.skills),
  analytics: (token: string, days: number = ANALYTICS_DAYS) => call<PracticeAnalytics>(`/gamification/analytics?days=${days}`, { token }),
  devSignInAvailable: () =>
    call<DevSignIn>('/dev').then(
      (answer) => answer.devSignIn,
      () => false,
    ),
  devToken: (userId: string) =>
    call<DevToken>('/dev/token', { method: 'POST', body: JSON.stringify({ userId }) }).then((answer) => answer.token),
};
