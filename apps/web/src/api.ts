import type { BadgeCatalogEntry, Challenge, Profile } from './types';

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

async function call<T>(path: string, init: RequestInit & { token?: string } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (init.token !== undefined) {
    headers.Authorization = `Bearer ${init.token}`;
  }
  if (init.body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, { ...init, headers });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError(response.status, body.code ?? 'ERROR', body.message ?? `The server answered ${response.status}.`);
  }
  return body as T;
}

export const gamificationApi = {
  profile: (token: string) => call<Profile>('/gamification/profile', { token }),
  badges: (token: string) => call<BadgeCatalogEntry[]>('/gamification/badges', { token }),
  claim: (token: string, challengeId: string) =>
    call<{ challenge: Challenge; xpAwarded: number; level: number; totalXp: number; leveledUp: boolean }>(
      `/gamification/claim-challenge/${encodeURIComponent(challengeId)}`,
      { method: 'POST', token },
    ),
  devSignInAvailable: () =>
    call<{ devSignIn: boolean }>('/dev').then(
      (answer) => answer.devSignIn,
      () => false,
    ),
  devToken: (userId: string) =>
    call<{ token: string }>('/dev/token', { method: 'POST', body: JSON.stringify({ userId }) }).then((answer) => answer.token),
};
