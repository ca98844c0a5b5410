import { Test, type TestingModule } from '@nestjs/testing';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { ApplicationModule, ApplySessionBatchCommand, ApplySessionCompletedUseCase, Clock, GetProfileQuery, GetProfileUseCase, GetSkillsQuery, GetSkillsUseCase, RulesInForce } from '@app/application';
import { AppConfig, ConfigModule } from '@app/config';
import { recomputeProgress, type CompletedSession } from '@app/domain';
import { parseSessionCompleted } from '@app/messaging';
import { ProcessedEventsRepository, UnitOfWork } from '@app/persistence';
import { referenceUser, type ReferenceEvent } from '@app/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { workerTestEnv } from '../support/test-env';

/**
 * Model-based test of exactly-once under every batching. Random streams (zones from −11 to +14,
 * late and out-of-order events, duplicates with the same and with other payloads, short sessions,
 * poison) are cut at random into partitions and runs and applied the way the consumer applies them:
 * each run parsed, then handed to the real use case on the real Postgres, partitions side by side.
 * Every user’s profile, ledger, skill XP and outbox must then equal a fold written from the contract alone,
 * and the engine's own fold of the stored session facts (recomputeProgress) must give that state too.
 *
 * PROPERTY_RUNS and PROPERTY_SEED (or `npm run test:property -- --runs=N --seed=S`) make a long run.
 */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 500);
const SEED = Number(process.env.PROPERTY_SEED ?? 20261126);

const ZONES = ['Pacific/Kiritimati', 'Pacific/Tongatapu', 'Pacific/Pago_Pago', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'UTC'];
const DURATIONS = [0, 59, 60, 599, 600, 1199, 1800, 2400, 86_400];
const SCORES = [null, 0, 56, 79.9, 80, 89.5, 90, 99, 100];
const POISON_KINDS = ['not-json', 'wrong-type', 'unknown-zone', 'far-future', 'nul-in-id', 'bad-skills'] as const;
// Enough known codes for SKILL_EXPLORER (five listed), children of one parent, a parent, and an unknown code.
const SKILLS = [undefined, ['graphs'], ['arrays', 'graphs', 'arrays'], ['not-in-the-tree'], ['communication', 'databases'], ['leadership', 'algorithms', 'caching']];

interface GeneratedEvent {
  readonly kind: 'event';
  readonly user: number;
  readonly minutesAgo: number;
  readonly durationSeconds: number;
  readonly score: number | null;
  /** 'home' for the user's zone, 'none' to leave it out, or another zone of the list. */
  readonly zone: 'home' | 'none' | number;
  readonly skills: (typeof SKILLS)[number];
}

interface GeneratedCopy {
  readonly kind: 'copy';
  /** Which earlier event (modulo their count) this repeats. */
  readonly of: number;
  /** Re-sent with the same fields, or rebuilt with other ones. */
  readonly changed: boolean;
  readonly durationSeconds: number;
  readonly score: number | null;
  readonly minutesAgo: number;
}

interface GeneratedPoison {
  readonly kind: 'poison';
  readonly user: number;
  readonly poison: (typeof POISON_KINDS)[number];
}

type Generated = GeneratedEvent | GeneratedCopy | GeneratedPoison;

interface Scenario {
  readonly homeZones: readonly number[];
  readonly items: readonly Generated[];
  readonly partitions: number;
  /** cutAfter[i]: a run of a partition ends after the i-th message of the stream. */
  readonly cutAfter: readonly boolean[];
  /** Minutes added to a fixed instant: the engine's clock, at every hour of the day. */
  readonly clockMinutes: number;
}

const scenarios = fc
  .integer({ min: 1, max: 4 })
  .chain((users) =>
    fc.record({
      homeZones: fc.array(fc.nat({ max: ZONES.length - 1 }), { minLength: users, maxLength: users }),
      items: fc.array(
        fc.oneof(
          { weight: 10, arbitrary: fc.record({
            kind: fc.constant('event' as const),
            user: fc.nat({ max: users - 1 }),
            minutesAgo: fc.nat({ max: 21 * 1440 }),
            durationSeconds: fc.constantFrom(...DURATIONS),
            score: fc.constantFrom(...SCORES),
            zone: fc.oneof({ weight: 6, arbitrary: fc.constant('home' as const) }, { weight: 3, arbitrary: fc.constant('none' as const) }, { weight: 1, arbitrary: fc.nat({ max: ZONES.length - 1 }) }),
            skills: fc.constantFrom(...SKILLS),
          }) },
          { weight: 3, arbitrary: fc.record({
            kind: fc.constant('copy' as const),
            of: fc.nat(),
            changed: fc.boolean(),
            durationSeconds: fc.constantFrom(...DURATIONS),
            score: fc.constantFrom(...SCORES),
            minutesAgo: fc.nat({ max: 21 * 1440 }),
          }) },
          { weight: 1, arbitrary: fc.record({ kind: fc.constant('poison' as const), user: fc.nat({ max: users - 1 }), poison: fc.constantFrom(...POISON_KINDS) }) },
        ),
        { minLength: 1, maxLength: 40 },
      ),
      partitions: fc.integer({ min: 1, max: 3 }),
      cutAfter: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
      clockMinutes: fc.nat({ max: 1439 }),
    }),
  );

interface Message {
  readonly userId: string;
  readonly value: Buffer;
  /** The document as produced, for valid messages; null for poison. */
  readonly valid: ReferenceEvent | null;
}

const BASE_INSTANT = Date.parse('2026-11-20T00:00:00Z');

/** The messages of a scenario, in production order, for users named after the case. */
function messagesOf(scenario: Scenario, caseId: string, now: Date): Message[] {
  const userIds = scenario.homeZones.map((_, index) => `prop-${caseId}-u${index}`);
  const originals: ReferenceEvent[] = [];
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000).toISOString();
  return scenario.items.flatMap((item, index): Message[] => {
    if (item.kind === 'event') {
      const event: ReferenceEvent & { sessionId: string } = {
        eventId: `${caseId}-e${index}`,
        userId: userIds[item.user],
        sessionId: `s${index}`,
        completedAt: at(item.minutesAgo),
        durationSeconds: item.durationSeconds,
        score: item.score,
        timezone: item.zone === 'home' ? ZONES[scenario.homeZones[item.user]] : item.zone === 'none' ? null : ZONES[item.zone],
        ...(item.skills === undefined ? {} : { skills: item.skills }),
      };
      originals.push(event);
      return [{ userId: event.userId, value: Buffer.from(JSON.stringify(event)), valid: event }];
    }
    if (item.kind === 'copy') {
      if (originals.length === 0) {
        return [];
      }
      const original = originals[item.of % originals.length];
      const copy = item.changed
        ? { ...original, sessionId: `rebuilt-${index}`, durationSeconds: item.durationSeconds, score: item.score, completedAt: at(item.minutesAgo) }
        : original;
      return [{ userId: copy.userId, value: Buffer.from(JSON.stringify(copy)), valid: copy }];
    }
    const userId = userIds[item.user];
    const good = { eventId: `${caseId}-p${index}`, userId, sessionId: `p${index}`, completedAt: at(60), durationSeconds: 600, score: 90 };
    const poison: Record<(typeof POISON_KINDS)[number], string> = {
      'not-json': `{"eventId": "${good.eventId}", `,
      'wrong-type': JSON.stringify({ ...good, durationSeconds: 'long' }),
      'unknown-zone': JSON.stringify({ ...good, timezone: 'Mars/Olympus_Mons' }),
      'far-future': JSON.stringify({ ...good, completedAt: new Date(now.getTime() + 3_600_000).toISOString() }),
      'nul-in-id': JSON.stringify({ ...good, eventId: `${good.eventId}\u0000` }),
      'bad-skills': JSON.stringify({ ...good, skills: ['Not A Skill!'] }),
    };
    return [{ userId, value: Buffer.from(poison[item.poison]), valid: null }];
  });
}

/** Splits the stream by partition (all of a user's messages in one), then into runs where the cuts fall. */
function runsOf(messages: readonly Message[], scenario: Scenario, userIds: readonly string[]): Message[][][] {
  const partitions: Message[][][] = Array.from({ length: scenario.partitions }, () => [[]]);
  messages.forEach((message, index) => {
    const runs = partitions[userIds.indexOf(message.userId) % scenario.partitions];
    runs[runs.length - 1].push(message);
    if (scenario.cutAfter[index % scenario.cutAfter.length]) {
      runs.push([]);
    }
  });
  return partitions.map((runs) => runs.filter((run) => run.length > 0));
}

describe('exactly once under every batching (model-based, on the real database)', () => {
  let moduleRef: TestingModule;
  let applySessions: ApplySessionCompletedUseCase;
  let getProfile: GetProfileUseCase;
  let dataSource: DataSource;
  let badgeTopic: string;
  let levelTopic: string;
  let now = new Date(BASE_INSTANT);

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot({ role: 'worker', env: workerTestEnv() }), ApplicationModule],
    })
      .overrideProvider(Clock)
      .useValue({ now: () => now })
      .compile();
    await moduleRef.init();
    applySessions = moduleRef.get(ApplySessionCompletedUseCase);
    getProfile = moduleRef.get(GetProfileUseCase);
    dataSource = moduleRef.get(getDataSourceToken());
    ({ badgeAwarded: badgeTopic, levelUp: levelTopic } = moduleRef.get(AppConfig).topics);
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  it(`gives every user what the contract's fold gives, wherever the runs and partitions are cut (${RUNS} cases, seed ${SEED})`, async () => {
    let cases = 0;
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario) => {
        cases += 1;
        now = new Date(BASE_INSTANT + scenario.clockMinutes * 60_000);
        const caseId = `${SEED}-${cases}`;
        const userIds = scenario.homeZones.map((_, index) => `prop-${caseId}-u${index}`);
        const messages = messagesOf(scenario, caseId, now);

        await Promise.all(
          runsOf(messages, scenario, userIds).map(async (runs) => {
            for (const run of runs) {
              const sessions: CompletedSession[] = [];
              for (const message of run) {
                const parsed = parseSessionCompleted(message.value, now);
                expect({ valid: parsed.ok, message: message.value.toString() }).toEqual({ valid: message.valid !== null, message: message.value.toString() });
                if (parsed.ok) {
                  sessions.push(parsed.session);
                }
              }
              if (sessions.length > 0) {
                await applySessions.executeBatch(new ApplySessionBatchCommand(sessions, 'kafka'));
              }
            }
          }),
        );

        for (const userId of userIds) {
          const firsts = new Map<string, ReferenceEvent>();
          for (const { valid } of messages) {
            if (valid !== null && valid.userId === userId && !firsts.has(valid.eventId)) {
              firsts.set(valid.eventId, valid);
            }
          }
          const expected = referenceUser([...firsts.values()], now);
          const profile = await getProfile.execute(new GetProfileQuery(userId));
          expect({
            userId,
            totalXp: profile.totalXp,
            level: profile.level,
            sessionsCompleted: profile.sessionsCompleted,
            currentStreak: profile.currentStreak,
            longestStreak: profile.longestStreak,
            lastPracticeDate: profile.lastPracticeDate,
            badges: profile.badges.map((badge) => badge.code).sort(),
            challenges: profile.challenges
              .map(({ type, progress, target, isCompleted }) => ({ type, progress, target, isCompleted }))
              .sort((a, b) => a.type.localeCompare(b.type)),
          }).toEqual({
            userId,
            totalXp: expected.totalXp,
            level: expected.level,
            sessionsCompleted: expected.sessionsCompleted,
            currentStreak: expected.currentStreak,
            longestStreak: expected.longestStreak,
            lastPracticeDate: expected.lastPracticeDate,
            badges: expected.badges,
            challenges: [...expected.todaysChallenges].sort((a, b) => a.type.localeCompare(b.type)),
          });

          const ledger: Array<{ event_id: string; xp_awarded: number }> = await dataSource.query(
            `SELECT event_id, xp_awarded FROM processed_events WHERE user_id = $1 ORDER BY event_id`,
            [userId],
          );
          expect(new Map(ledger.map((row) => [row.event_id, row.xp_awarded]))).toEqual(expected.xpByEvent);

          // The skill XP kept on the profile (what the skill badges are judged on) and the skills route both equal section 10's fold.
          // A user whose every message was poison has no profile: no skill XP.
          const [stored] = await dataSource.query(`SELECT skill_xp FROM user_profiles WHERE user_id = $1`, [userId]);
          const storedSkillXp = stored?.skill_xp ?? {};
          const route = await moduleRef.get(GetSkillsUseCase).execute(new GetSkillsQuery(userId));
          expect({ stored: storedSkillXp, route: Object.fromEntries(route.skills.filter((node) => node.sessions > 0).map((node) => [node.code, node.xp])) }).toEqual({
            stored: expected.skillXp,
            route: expected.skillXp,
          });

          const awards: Array<{ topic: string; payload: { badgeCode?: string; previousLevel?: number; newLevel?: number } }> =
            await dataSource.query(`SELECT topic, payload FROM outbox_messages WHERE message_key = $1 ORDER BY id`, [userId]);
          expect(awards.filter((award) => award.topic === badgeTopic).map((award) => award.payload.badgeCode).sort()).toEqual(expected.badges);
          const levelSteps = awards.filter((award) => award.topic === levelTopic).map((award) => [award.payload.previousLevel, award.payload.newLevel]);
          const climbed = levelSteps.reduce((level, [from, to]) => (from === level ? to! : Number.NaN), 1);
          expect({ levelSteps, climbed }).toEqual({ levelSteps, climbed: expected.level });

          // The state built incrementally, run after run, equals the fold of the stored facts from scratch.
          const facts = await moduleRef.get(UnitOfWork).run((transaction) => moduleRef.get(ProcessedEventsRepository).sessionsOf(transaction, [userId]));
          const folded = recomputeProgress(facts.get(userId) ?? [], [], { badges: new Set(), highestLevel: 1 }, await moduleRef.get(RulesInForce).current());
          expect({
            userId,
            totalXp: folded.totalXp,
            level: folded.level,
            sessionsCompleted: folded.sessionsCompleted,
            longestStreak: folded.streak.longestStreak,
            lastPracticeDate: folded.streak.lastPracticeDate,
            badges: folded.newlyEarned.map((badge) => badge.code).sort(),
            xpByEvent: folded.xpByEvent,
            skillXp: folded.skillXp,
          }).toEqual({
            userId,
            totalXp: profile.totalXp,
            level: profile.level,
            sessionsCompleted: profile.sessionsCompleted,
            longestStreak: profile.longestStreak,
            lastPracticeDate: profile.lastPracticeDate,
            badges: profile.badges.map((badge) => badge.code).sort(),
            xpByEvent: new Map(ledger.map((row) => [row.event_id, row.xp_awarded])),
            skillXp: storedSkillXp,
          });
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    process.stdout.write(`property: ${cases} cases (incl. shrinking) in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${SEED}\n`);
    // A long run (--runs) gets time in proportion: a case takes a few tens of milliseconds.
  }, 120_000 + RUNS * 100);
});
