/** The caller's practice over the last `days` days (1 to 366) in their zone (contract section 10). */
export class GetPracticeAnalyticsQuery {
  constructor(
    readonly userId: string,
    readonly days: number,
  ) {}
}
