import { getDataSourceToken } from '@nestjs/typeorm';
import type { TestingModule } from '@nestjs/testing';
import type { DataSource } from 'typeorm';
import {
  ApplyRulesCommand,
  ApplyRulesUseCase,
  ApplySessionBatchCommand,
  ApplySessionCompletedUseCase,
  GetProfileQuery,
  GetProfileUseCase,
  ListBadgesUseCase,
} from '@app/application';
import { loadRulesFile } from '@app/config';
import { aSessionCompleted, parsedSession } from '@app/testing';
import { startApplication } from '../support/application-harness';
import { ownDatabaseUrl } from '../support/test-env';

/**
 * The two skill badges of the shipped rules (version 6) through the engine's one use case, its
 * recompute, and the badge catalogue: SKILL_EXPLORER at five nodes of the tree practised (those the
 * skills route shows with sessions), FIRST_MASTERY when a node reaches Practitioner (2,000 XP). Each session here is 30
 * minutes with score 80: 50 + 40 + 30 = 120 XP.
 */
describe('skill badges (SKILL_EXPLORER, FIRST_MASTERY)', () => {
  const url = ownDatabaseUrl('gamification_test_skill_badges');
  let current = new Date('2030-03-01T10:00:00Z');
  let app: TestingModule;
  let dataSource: DataSource;

  /** Applies one counted session a minute after the last; returns its eventId. */
  const apply = async (userId: string, skills: string[], durationSeconds = 1800) => {
    current = new Date(current.getTime() + 60_000);
    const session = aSessionCompleted({ userId, completedAt: current.toISOString(), durationSeconds, score: 80, timezone: 'UTC', skills });
    const [outcome] = await app.get(ApplySessionCompletedUseCase).executeBatch(new ApplySessionBatchCommand([parsedSession(session, current)], 'kafka'));
    expect(outcome.status).toBe('applied');
    return session.eventId;
  };
  const badgesOf = async (userId: string) => (await app.get(GetProfileUseCase).execute(new GetProfileQuery(userId))).badges.map((badge) => badge.code);
  /** The badge.awarded events queued for the user: badge code and the event that earned it. */
  const awardsOf = async (userId: string, codes: readonly string[]) =>
    (
      await dataSource.query(
        `SELECT payload->>'badgeCode' AS code, payload->>'sourceEventId' AS source FROM outbox_messages
         WHERE message_key = $1 AND payload->>'type' = 'badge.awarded' AND payload->>'badgeCode' = ANY($2) ORDER BY code`,
        [userId, codes],
      )
    ).map((row: { code: string; source: string }) => [row.code, row.source]);

  beforeAll(async () => {
    app = await startApplication(url, { now: () => current });
    dataSource = app.get(getDataSourceToken());
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  it('awards SKILL_EXPLORER at the fifth node practised: a parent through its children, unknown codes, repeats and uncounted sessions not at all', async () => {
    // arrays, graphs and their parent algorithms.
    await apply('eli', ['arrays', 'graphs', 'arrays']);
    await apply('eli', ['strings', 'kubernetes']);
    // Too short to count: conflict and behavioural are not practised.
    await apply('eli', ['conflict'], 30);
    await apply('eli', ['algorithms']);
    expect(await badgesOf('eli')).not.toContain('SKILL_EXPLORER');

    const fifth = await apply('eli', ['communication']);
    expect(await badgesOf('eli')).toContain('SKILL_EXPLORER');
    expect(await awardsOf('eli', ['SKILL_EXPLORER'])).toEqual([['SKILL_EXPLORER', fifth]]);
    await apply('eli', ['caching']);
    expect(await awardsOf('eli', ['SKILL_EXPLORER'])).toEqual([['SKILL_EXPLORER', fifth]]);
  });

  it('awards FIRST_MASTERY when a parent reaches Practitioner through two children, each session counted once', async () => {
    // databases and caching in turn: system-design has 120 per session, each child half of that.
    const events: string[] = [];
    for (let index = 0; index < 17; index += 1) {
      events.push(await apply('fay', [index % 2 === 0 ? 'databases' : 'caching']));
      // 16 sessions: 1,920 XP in system-design, short of 2,000.
      if (index === 15) {
        expect(await badgesOf('fay')).not.toContain('FIRST_MASTERY');
      }
    }
    expect(await awardsOf('fay', ['FIRST_MASTERY'])).toEqual([['FIRST_MASTERY', events[16]]]);
    // A session listing both children of system-design counts once in it: 2 × 120 more would be 2,280.
    await apply('gus', ['databases', 'caching']);
    for (let index = 0; index < 15; index += 1) {
      await apply('gus', ['databases', 'caching']);
    }
    expect(await badgesOf('gus')).not.toContain('FIRST_MASTERY');
  });

  it('says how to earn each in the catalogue, naming the mastery level', async () => {
    const catalogue = await app.get(ListBadgesUseCase).execute();
    expect(catalogue.filter((badge) => badge.code === 'SKILL_EXPLORER' || badge.code === 'FIRST_MASTERY').map((badge) => badge.howToEarn)).toEqual([
      'Practise 5 skills of the skill tree',
      'Reach Practitioner in a skill',
    ]);
  });

  it('recomputes the skill totals under new rules: an easier badge is awarded by the apply, and kept when the sessions stop counting', async () => {
    // Four nodes (arrays, graphs, their parent algorithms, communication) in 10-minute sessions
    // (50 + 40 + 10 = 100 XP each): no explorer under the shipped rules.
    await apply('hal', ['arrays'], 600);
    await apply('hal', ['graphs'], 600);
    await apply('hal', ['communication'], 600);
    expect(await badgesOf('hal')).not.toContain('SKILL_EXPLORER');
    const shipped = loadRulesFile('config/rules.yaml');
    const explorerAtFour = {
      ...shipped,
      version: shipped.version + 1,
      badges: shipped.badges.map((badge) => (badge.code === 'SKILL_EXPLORER' ? { ...badge, when: { ...badge.when, atLeast: 4 } } : badge)),
    };
    await app.get(ApplyRulesUseCase).execute(new ApplyRulesCommand(explorerAtFour, 'explorer-at-four.yaml', 'test'));
    expect(await badgesOf('hal')).toContain('SKILL_EXPLORER');
    expect(await awardsOf('hal', ['SKILL_EXPLORER'])).toEqual([['SKILL_EXPLORER', `rules:v${explorerAtFour.version}`]]);

    // Sessions under 15 minutes no longer count: hal has practised no skill, and keeps the badge.
    const longerSessions = { ...explorerAtFour, version: explorerAtFour.version + 1, xp: { ...explorerAtFour.xp, minimumDurationSeconds: 900 } };
    await app.get(ApplyRulesUseCase).execute(new ApplyRulesCommand(longerSessions, 'longer-sessions.yaml', 'test'));
    const [hal] = await dataSource.query(`SELECT skill_xp FROM user_profiles WHERE user_id = 'hal'`);
    expect(hal).toEqual({ skill_xp: {} });
    expect(await badgesOf('hal')).toContain('SKILL_EXPLORER');
    // eli's 30-minute sessions still count (120 XP each): the same XP as before, folded again.
    const [eli] = await dataSource.query(`SELECT skill_xp FROM user_profiles WHERE user_id = 'eli'`);
    expect(eli.skill_xp).toEqual({ algorithms: 360, arrays: 120, graphs: 120, strings: 120, communication: 120, 'system-design': 120, caching: 120 });
  });
});
