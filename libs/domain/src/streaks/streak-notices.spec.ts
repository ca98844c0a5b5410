import { StreakCalculator } from './streak-calculator';
import { DAY_END_GRACE_MS, StreakNotifier, type StreakNoticeCursor, type StreakWatch } from './streak-notices';

const notifier = new StreakNotifier('20:00');
const FREEZES = { earnEveryDays: 7, maxHeld: 2 };
const days = (first: string, length: number) =>
  Array.from({ length }, (_, index) => new Date(Date.parse(first) + index * 86_400_000).toISOString().slice(0, 10));

function watch(practiceDays: readonly string[], zone: string, cursor: StreakNoticeCursor = { warnedOn: null, dayEndsThrough: null }): StreakWatch {
  return { summary: StreakCalculator.summarize(practiceDays, FREEZES), zone, cursor };
}

/** Sweeps at each instant, carrying the cursor as the engine stores it; what each sweep sent. */
function sweep(start: StreakWatch, instants: readonly string[]) {
  let current = start;
  return instants.map((instant) => {
    const due = notifier.due(current, new Date(instant));
    current = { ...current, cursor: due.cursor };
    return { notices: due.notices.map((notice) => ({ ...notice })), nextDueAt: due.nextDueAt?.toISOString() ?? null };
  });
}

describe('StreakNotifier', () => {
  // Seven days to 2026-11-07 in Berlin (UTC+1 in November): one freeze held.
  const berlin = watch(days('2026-11-01', 7), 'Europe/Berlin', { warnedOn: null, dayEndsThrough: '2026-11-06' });

  it('warns at 20:00 local on the first day not practised, then freezes the day at its end, then loses the streak', () => {
    const sent = sweep(berlin, [
      '2026-11-07T22:59:00Z', // 23:59 on the 7th, practised: nothing
      '2026-11-08T18:59:00Z', // 19:59 on the 8th: not yet
      '2026-11-08T19:00:00Z', // 20:00 on the 8th
      '2026-11-08T23:04:59Z', // the 8th ended, but a session of it may still be on its way
      '2026-11-08T23:05:00Z', // the 8th ended five minutes ago
      '2026-11-09T19:00:30Z',
      '2026-11-09T23:05:30Z',
      '2026-11-10T19:00:00Z', // the streak is over: no more
    ]);
    expect(sent.map(({ notices }) => notices)).toEqual([
      [],
      [],
      [{ type: 'streak.at_risk', localDate: '2026-11-08', currentStreak: 7, freezesHeld: 1, dayEndsAt: new Date('2026-11-08T23:00:00Z') }],
      [],
      [{ type: 'streak.frozen', frozenDate: '2026-11-08', currentStreak: 7, freezesHeld: 0 }],
      [{ type: 'streak.at_risk', localDate: '2026-11-09', currentStreak: 7, freezesHeld: 0, dayEndsAt: new Date('2026-11-09T23:00:00Z') }],
      [{ type: 'streak.lost', lostOn: '2026-11-09', previousStreak: 7 }],
      [],
    ]);
    expect(sent.map(({ nextDueAt }) => nextDueAt)).toEqual([
      '2026-11-08T19:00:00.000Z',
      '2026-11-08T19:00:00.000Z',
      '2026-11-08T23:05:00.000Z',
      '2026-11-08T23:05:00.000Z',
      '2026-11-09T19:00:00.000Z',
      '2026-11-09T23:05:00.000Z',
      null,
      null,
    ]);
  });

  it('sends each notice once, however often it sweeps', () => {
    const instants = Array.from({ length: 3 * 24 * 12 }, (_, index) => new Date(Date.parse('2026-11-07T12:00:00Z') + index * 300_000).toISOString());
    const sent = sweep(berlin, instants).flatMap(({ notices }) => notices.map((notice) => notice.type));
    expect(sent).toEqual(['streak.at_risk', 'streak.frozen', 'streak.at_risk', 'streak.lost']);
  });

  it('after a stop, announces the missed day ends late and skips a reminder whose day is over', () => {
    // Down from the 8th 18:00 UTC to the 10th 10:00 UTC: both ends and both reminders passed.
    const [first] = sweep(berlin, ['2026-11-10T10:00:00Z']);
    expect(first.notices).toEqual([
      { type: 'streak.frozen', frozenDate: '2026-11-08', currentStreak: 7, freezesHeld: 0 },
      { type: 'streak.lost', lostOn: '2026-11-09', previousStreak: 7 },
    ]);
    // Back at 21:30 on the 8th: the reminder of the 8th still goes out, the day not being over.
    expect(sweep(berlin, ['2026-11-08T20:30:00Z'])[0].notices.map((notice) => notice.type)).toEqual(['streak.at_risk']);
  });

  it('places the reminder and the day end by the zone’s own clock across DST', () => {
    // New York falls back on 2026-11-01: that day lasts 25 hours, and 20:00 is at 01:00Z the next day.
    const newYork = watch(days('2026-10-25', 7), 'America/New_York', { warnedOn: null, dayEndsThrough: '2026-10-30' });
    expect(notifier.nextDueAt(newYork, new Date('2026-10-31T16:00:00Z'))).toEqual(new Date('2026-11-02T01:00:00Z'));
    const [atRisk, frozen] = sweep(newYork, ['2026-11-02T01:00:00Z', '2026-11-02T05:05:00Z']);
    expect(atRisk.notices).toEqual([
      { type: 'streak.at_risk', localDate: '2026-11-01', currentStreak: 7, freezesHeld: 1, dayEndsAt: new Date('2026-11-02T05:00:00Z') },
    ]);
    expect(frozen.notices).toEqual([{ type: 'streak.frozen', frozenDate: '2026-11-01', currentStreak: 7, freezesHeld: 0 }]);
  });

  it('works at both ends of the zones: UTC+14 and UTC−11', () => {
    const kiritimati = watch(days('2026-11-20', 3), 'Pacific/Kiritimati', { warnedOn: null, dayEndsThrough: '2026-11-21' });
    // 20:00 on the 23rd in Kiritimati is 06:00Z on the 23rd; the 23rd ends at 10:00Z.
    expect(sweep(kiritimati, ['2026-11-23T06:00:00Z', '2026-11-23T10:05:00Z']).map(({ notices }) => notices)).toEqual([
      [{ type: 'streak.at_risk', localDate: '2026-11-23', currentStreak: 3, freezesHeld: 0, dayEndsAt: new Date('2026-11-23T10:00:00Z') }],
      [{ type: 'streak.lost', lostOn: '2026-11-23', previousStreak: 3 }],
    ]);
    const pagoPago = watch(days('2026-11-20', 3), 'Pacific/Pago_Pago', { warnedOn: null, dayEndsThrough: '2026-11-21' });
    // 20:00 on the 23rd in Pago Pago is 07:00Z on the 24th; the 23rd ends at 11:00Z on the 24th.
    expect(sweep(pagoPago, ['2026-11-24T06:59:00Z', '2026-11-24T07:00:00Z', '2026-11-24T11:05:00Z']).map(({ notices }) => notices.map((n) => n.type))).toEqual([
      [],
      ['streak.at_risk'],
      ['streak.lost'],
    ]);
  });

  it('has nothing due for a user without a streak', () => {
    expect(notifier.due(watch([], 'UTC'), new Date('2026-11-26T21:00:00Z'))).toEqual({ notices: [], cursor: { warnedOn: null, dayEndsThrough: '2026-11-25' }, nextDueAt: null });
  });

  it('announces a day end five minutes after local midnight, so that a session of the day still on its way counts', () => {
    expect(DAY_END_GRACE_MS).toBe(5 * 60_000);
    const [early, late] = sweep(berlin, ['2026-11-08T23:04:00Z', '2026-11-08T23:06:00Z']);
    expect(early.notices).toEqual([]);
    expect(late.notices.map((notice) => notice.type)).toEqual(['streak.frozen']);
  });

  it('restates a recomputed streak without announcing the past, and follows it from today', () => {
    // Lost on the 9th, announced; the rules now give two freezes more: the streak lives again today.
    const before = watch(days('2026-11-01', 7), 'UTC', { warnedOn: '2026-11-09', dayEndsThrough: '2026-11-09' });
    const restated = notifier.restate(before, { summary: { currentStreak: 7, lastPracticeDate: '2026-11-07', freezesHeld: 3 }, zone: 'UTC' }, new Date('2026-11-10T12:00:00Z'));
    expect(restated).toEqual({ notices: [], cursor: { warnedOn: '2026-11-09', dayEndsThrough: '2026-11-09' }, nextDueAt: new Date('2026-11-10T20:00:00Z') });
  });

  describe('when a streak is restated before the sweep announced a day end', () => {
    // Seven days to the 7th in UTC, one freeze held; the 8th ended unpractised and is not announced yet.
    const before = watch(days('2026-11-01', 7), 'UTC', { warnedOn: '2026-11-08', dayEndsThrough: '2026-11-07' });
    // The rules now hold no freezes: under them the 8th lost the streak.
    const after = { summary: { currentStreak: 0, lastPracticeDate: '2026-11-07', freezesHeld: 0 }, zone: 'UTC' };

    it('announces the day end owed, as the streak recorded before decided it', () => {
      const restated = notifier.restate(before, after, new Date('2026-11-09T03:00:00Z'));
      expect(restated.notices).toEqual([{ type: 'streak.frozen', frozenDate: '2026-11-08', currentStreak: 7, freezesHeld: 0 }]);
      expect(restated.cursor).toEqual({ warnedOn: '2026-11-08', dayEndsThrough: '2026-11-08' });
      expect(restated.nextDueAt).toBeNull();
    });

    it('leaves a day that ended within the grace to the sweep, which announces it as the new streak decides', () => {
      const restated = notifier.restate(before, { ...after, summary: { currentStreak: 7, lastPracticeDate: '2026-11-07', freezesHeld: 0 } }, new Date('2026-11-09T00:02:00Z'));
      expect(restated.notices).toEqual([]);
      expect(restated.cursor).toEqual({ warnedOn: '2026-11-08', dayEndsThrough: '2026-11-07' });
      const [swept] = sweep({ summary: { currentStreak: 7, lastPracticeDate: '2026-11-07', freezesHeld: 0 }, zone: 'UTC', cursor: restated.cursor }, ['2026-11-09T00:06:00Z']);
      expect(swept.notices).toEqual([{ type: 'streak.lost', lostOn: '2026-11-08', previousStreak: 7 }]);
    });
  });

  describe('when a new practice day is recorded', () => {
    const before = watch(days('2026-11-01', 7), 'UTC', { warnedOn: '2026-11-08', dayEndsThrough: '2026-11-07' });

    it('announces the days before it that ended unannounced, with the streak as it was', () => {
      // The 8th ended at midnight; the session of the 9th is recorded before the sweep came by.
      const after = watch([...days('2026-11-01', 7), '2026-11-09'], 'UTC');
      const settled = notifier.settle(before, after, '2026-11-09', new Date('2026-11-09T00:06:00Z'));
      expect(settled.notices).toEqual([{ type: 'streak.frozen', frozenDate: '2026-11-08', currentStreak: 7, freezesHeld: 0 }]);
      expect(settled.cursor).toEqual({ warnedOn: '2026-11-08', dayEndsThrough: '2026-11-08' });
      expect(settled.nextDueAt).toEqual(new Date('2026-11-10T20:00:00Z'));
    });

    it('announces a day that ended within the grace too: the new practice day keeps it from any later sweep', () => {
      // The session of the 9th at 00:01, before the sweep's grace for the 8th is over.
      const ninth = watch([...days('2026-11-01', 7), '2026-11-09'], 'UTC');
      const settled = notifier.settle(before, ninth, '2026-11-09', new Date('2026-11-09T00:01:00Z'));
      expect(settled.notices).toEqual([{ type: 'streak.frozen', frozenDate: '2026-11-08', currentStreak: 7, freezesHeld: 0 }]);
      expect(settled.cursor).toEqual({ warnedOn: '2026-11-08', dayEndsThrough: '2026-11-08' });
    });

    it('counts a day as ended if it ended in either zone: a user who flew east', () => {
      // Seven days to the 7th in Pago Pago (UTC−11), then a session in Kiritimati (UTC+14) dated the 10th.
      const west = watch(days('2026-11-01', 7), 'Pacific/Pago_Pago', { warnedOn: null, dayEndsThrough: '2026-11-07' });
      const east = watch([...days('2026-11-01', 7), '2026-11-10'], 'Pacific/Kiritimati');
      const settled = notifier.settle(west, east, '2026-11-10', new Date('2026-11-09T10:30:00Z'));
      expect(settled.notices).toEqual([
        { type: 'streak.frozen', frozenDate: '2026-11-08', currentStreak: 7, freezesHeld: 0 },
        { type: 'streak.lost', lostOn: '2026-11-09', previousStreak: 7 },
      ]);
    });

    it('announces nothing for a day not ended yet, and nothing before the first practice the engine knew of', () => {
      const early = notifier.settle(before, watch([...days('2026-11-01', 7), '2026-11-08'], 'UTC'), '2026-11-08', new Date('2026-11-08T10:00:00Z'));
      expect(early.notices).toEqual([]);
      const newcomer = notifier.settle(watch([], 'UTC'), watch(['2026-11-01'], 'UTC'), '2026-11-01', new Date('2026-11-05T10:00:00Z'));
      expect(newcomer).toEqual({ notices: [], cursor: { warnedOn: null, dayEndsThrough: '2026-11-04' }, nextDueAt: null });
    });
  });
});
