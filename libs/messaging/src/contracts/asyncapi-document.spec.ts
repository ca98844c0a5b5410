import { loadAppConfig } from '@app/config';
import { AsyncApiMessages, describeDiagnostics, parseAsyncApi } from '../../../testing/src/asyncapi-document';
import { ASYNCAPI_CHANNEL_TOPICS } from './asyncapi-channels';
import { badgeAwardedV1 } from './badge-awarded/value';
import { leaderboardFinishedV1 } from './leaderboard-finished/value';
import { levelUpV1 } from './level-up/value';
import { streakNoticeV1 } from './streak/value';

describe('docs/asyncapi.yaml', () => {
  const defaults = loadAppConfig({ DATABASE_URL: 'postgres://127.0.0.1/gamification' }, 'operator').topics;
  let parsed: Awaited<ReturnType<typeof parseAsyncApi>>;

  beforeAll(async () => {
    parsed = await parseAsyncApi();
  });

  it('is an AsyncAPI 3.0 document that @asyncapi/parser accepts without a single diagnostic', () => {
    expect(describeDiagnostics(parsed.diagnostics)).toEqual([]);
    expect(parsed.document?.version()).toBe('3.0.0');
  });

  it('has one channel per topic setting, at its default name, with one operation each', () => {
    const document = parsed.document!;
    const addresses = Object.fromEntries(document.channels().all().map((channel) => [channel.id(), channel.address()]));
    expect(addresses).toEqual(Object.fromEntries(Object.entries(ASYNCAPI_CHANNEL_TOPICS).map(([channel, topic]) => [channel, defaults[topic]])));
    expect(new Set(Object.values(ASYNCAPI_CHANNEL_TOPICS))).toEqual(new Set(Object.keys(defaults)));
    expect(document.operations().all().map((operation) => operation.channels().all()[0].address()).sort()).toEqual(Object.values(defaults).sort());
  });

  it('gives every message an example that its own schemas accept', () => {
    const document = parsed.document!;
    const messages = AsyncApiMessages.from(document);
    for (const operation of document.operations().all()) {
      const address = operation.channels().all()[0].address()!;
      const [message] = operation.messages().all();
      const examples = message.examples().all();
      expect([address, examples.length > 0]).toEqual([address, true]);
      for (const example of examples) {
        const payload = example.payload();
        const value = typeof payload === 'string' ? payload : JSON.stringify(payload);
        const key = address === defaults.leaderboardFinished ? 'WEEKLY_XP' : 'user-123';
        expect([address, example.name(), messages.problems(address, { key, headers: (example.headers() ?? {}) as Record<string, string>, value })]).toEqual([address, example.name(), []]);
      }
    }
  });

  it('holds the payloads the engine builds to their schemas, and refuses one with a field it does not document', () => {
    const messages = AsyncApiMessages.from(parsed.document!);
    const at = new Date('2026-11-25T17:30:00.000Z');
    const wire = (value: { eventId: string }, key = 'user-123') => ({ key, headers: { 'event-id': value.eventId }, value: JSON.stringify(value) });
    const badge = badgeAwardedV1('user-123', { code: 'FIRST_STEPS', name: 'First Steps', description: 'd', when: { metric: 'sessionsCompleted', atLeast: 1 } }, 'source-1', at);
    expect(messages.problems(defaults.badgeAwarded, wire(badge))).toEqual([]);
    expect(messages.problems(defaults.levelUp, wire(levelUpV1('user-123', { previousLevel: 1, newLevel: 3 }, 250, 'source-1', at)))).toEqual([]);
    const notices = {
      [defaults.streakAtRisk]: streakNoticeV1('user-123', { type: 'streak.at_risk', localDate: '2026-11-27', currentStreak: 4, freezesHeld: 1, dayEndsAt: at }),
      [defaults.streakFrozen]: streakNoticeV1('user-123', { type: 'streak.frozen', frozenDate: '2026-11-27', currentStreak: 4, freezesHeld: 0 }),
      [defaults.streakLost]: streakNoticeV1('user-123', { type: 'streak.lost', lostOn: '2026-11-27', previousStreak: 4 }),
    };
    for (const [address, notice] of Object.entries(notices)) {
      expect([address, messages.problems(address, wire(notice))]).toEqual([address, []]);
    }
    // Every source an award can have: a session, a claim, a user's re-evaluation, a rules apply.
    for (const source of ['8b0c5c8e-1d7e-4a53-9f7e-7f3f4c2d9a10', 'challenge:0f8e6c2a-4d1b-4e7f-9a3c-5b2d1e0f8a7c', 'sync:user-123', 'rules:v7']) {
      expect([source, messages.problems(defaults.levelUp, wire(levelUpV1('user-123', { previousLevel: 1, newLevel: 2 }, 120, source, at)))]).toEqual([source, []]);
    }
    const finished = leaderboardFinishedV1({ code: 'WEEKLY_XP', periodKey: '2026-W48', start: at.toISOString(), end: at.toISOString(), participants: 1, top: [{ rank: 1, userId: 'user-123', xp: 50 }] });
    expect(messages.problems(defaults.leaderboardFinished, wire(finished, 'WEEKLY_XP'))).toEqual([]);
    const undocumented = { ...badge, badgeIcon: 'star.png' };
    expect(messages.problems(defaults.badgeAwarded, wire(undocumented))).toEqual([
      'BadgeAwarded payload: must NOT have additional properties',
    ]);
    expect(messages.problems(defaults.levelUp, { ...wire(levelUpV1('user-123', { previousLevel: 1, newLevel: 2 }, 120, 's', at)), headers: {} })).toEqual([
      "LevelUp headers: must have required property 'event-id'",
    ]);
  });
});
