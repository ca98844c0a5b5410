import { periodOfKey } from '@app/domain';
import { boardKeptUntil } from './board-retention';

const rules = { leaderboardGraceHours: 12, leaderboardTimeZone: 'Europe/Berlin' };
const week = (key: string) => periodOfKey('week', key, rules.leaderboardTimeZone)!;
const month = (key: string) => periodOfKey('month', key, rules.leaderboardTimeZone)!;
const at = (instant: string) => new Date(instant);

describe('boardKeptUntil', () => {
  it('keeps a board while its period takes XP: until it is final (12 hours after its end)', () => {
    // 2026-W48 ends at 23:00 UTC on Sunday 29 November (midnight in Berlin).
    expect(boardKeptUntil(week('2026-W48'), rules, at('2026-11-30T10:59:59.999Z'))).toBeNull();
    expect(boardKeptUntil(periodOfKey('all', 'all', rules.leaderboardTimeZone)!, rules, at('2030-01-01T00:00:00Z'))).toBeNull();
  });

  it('keeps a final board while it is the previous period: until the next one ends, in the boards’ zone', () => {
    expect(boardKeptUntil(week('2026-W48'), rules, at('2026-11-30T11:00:00Z'))).toEqual(at('2026-12-06T23:00:00Z'));
    // October 2026 began in summer time (22:00 UTC on 30 September) and ends in winter time (23:00 UTC on the 31st).
    expect(boardKeptUntil(month('2026-10'), rules, at('2026-11-01T10:59:59.999Z'))).toBeNull();
    expect(boardKeptUntil(month('2026-10'), rules, at('2026-11-01T11:00:00Z'))).toEqual(at('2026-11-30T23:00:00Z'));
  });

  it('keeps an older board, built again for a read by its key, an hour from the read', () => {
    expect(boardKeptUntil(week('2026-W40'), rules, at('2026-11-30T11:00:00Z'))).toEqual(at('2026-11-30T12:00:00Z'));
    expect(boardKeptUntil(week('2026-W48'), rules, at('2026-12-06T22:30:00Z'))).toEqual(at('2026-12-06T23:30:00Z'));
  });
});
