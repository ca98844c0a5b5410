/** Which period of a board: the current one, the one before it, or one named by its key (`2026-W48`, `2026-11`, `all`). */
export type PeriodSelector = 'current' | 'previous' | { readonly key: string };

/** A page of a board for a user: `around` gives the user and up to 5 above and below, instead of the page. */
export class GetLeaderboardQuery {
  constructor(
    readonly userId: string,
    readonly code: string,
    readonly period: PeriodSelector,
    readonly page: { readonly around: true } | { readonly around: false; readonly offset: number; readonly limit: number },
  ) {}
}
