import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ApplySessionBatchCommand, ApplySessionCompletedUseCase } from '@app/application';
import { appEntry, projectRoot } from '@app/dev-stack';
import { deterministicEventId } from '@app/messaging';
import { aSessionCompleted, parsedSession } from '@app/testing';
import { startApplication } from '../support/application-harness';
import { ownDatabaseUrl } from '../support/test-env';
import { seededRandom, type SeededRandom } from './support/seeded-random';

const root = projectRoot();
const now = new Date('2026-11-26T12:00:00Z');
// Enough users, in batches small enough, that the apply makes many commits over a few seconds: a
// kill lands between two of them whatever the machine's speed.
const USERS = 3000;
const BATCH = 25;
const SOURCE = 'rules:v7';

/** `text` with `from` (which must occur exactly once) replaced: a change of the shipped file that cannot silently miss. */
function edit(text: string, from: string, to: string): string {
  if (text.split(from).length !== 2) {
    throw new Error(`config/rules.yaml no longer holds exactly one "${from}": update this test's version 7 rules`);
  }
  return text.replace(from, to);
}

// The shipped rules (version 6) as version 7: freezes off, leaner base, richer score and duration steps, a higher minimum, one new badge.
const nextYaml = [
  ['version: 6', 'version: 7'],
  ['  maxHeld: 2', '  maxHeld: 0'],
  ['  base: 50', '  base: 30'],
  ['    xpPerStep: 5', '    xpPerStep: 8'],
  ['    xpPerStep: 10', '    xpPerStep: 12'],
  ['    maxSteps: 3', '    maxSteps: 5'],
  ['  minimumDurationSeconds: 60', '  minimumDurationSeconds: 120'],
  [
    '    when: { metric: level, atLeast: 10 }\n',
    '    when: { metric: level, atLeast: 10 }\n' +
      '  - code: TWO_IN_A_ROW\n    name: Two in a Row\n    description: Practise 2 days in a row\n    when: { metric: streakDays, atLeast: 2 }\n',
  ],
].reduce((text, [from, to]) => edit(text, from, to), readFileSync(join(root, 'config', 'rules.yaml'), 'utf8'));

/** What the version 7 file says, written out from its meaning (not from the engine's code). */
const NEXT = {
  base: 30,
  score: { step: 10, xpPerStep: 8 },
  duration: { stepSeconds: 600, xpPerStep: 12, maxSteps: 5 },
  minimumDurationSeconds: 120,
  levels: { xpFactor: 50, maxLevel: 100 },
  badges: [
    ['FIRST_STEPS', 'sessionsCompleted', 1],
    ['GETTING_SERIOUS', 'sessionsCompleted', 10],
    ['MARATHONER', 'sessionsCompleted', 50],
    ['ON_FIRE', 'streakDays', 3],
    ['WEEK_WARRIOR', 'streakDays', 7],
    ['UNSTOPPABLE', 'streakDays', 30],
    ['HIGH_SCORER', 'score', 90],
    ['PERFECTIONIST', 'score', 100],
    ['LEVEL_5', 'level', 5],
    ['LEVEL_10', 'level', 10],
    ['SKILL_EXPLORER', 'skillsPractised', 5],
    ['FIRST_MASTERY', 'skillMastery', 3],
    ['TWO_IN_A_ROW', 'streakDays', 2],
  ] as ReadonlyArray<readonly [string, 'sessionsCompleted' | 'streakDays' | 'score' | 'level' | 'skillsPractised' | 'skillMastery', number]>,
};

interface Fact {
  readonly day: number;
  readonly durationSeconds: number;
  readonly score: number | null;
}

/** A user as recorded under version 6 (the shipped rules), before the apply. */
interface Recorded {
  readonly totalXp: number;
  readonly level: number;
  readonly badges: readonly string[];
}

/** A user as version 7 must leave them (contract section 6), with the awards it publishes. */
interface Expected {
  readonly totalXp: number;
  readonly level: number;
  readonly badges: readonly string[];
  /** The outbox rows of the recompute: `badge.awarded CODE` and `level.up FROM->TO at XP`, each with its derived eventId. */
  readonly awards: readonly string[];
}

function levelFor(totalXp: number): number {
  let level = 1;
  while (level < NEXT.levels.maxLevel && NEXT.levels.xpFactor * (level + 1) * level <= totalXp) {
    level += 1;
  }
  return level;
}

function longestRun(days: ReadonlySet<number>): number {
  let longest = 0;
  for (const day of days) {
    if (!days.has(day - 1)) {
      let length = 1;
      while (days.has(day + length)) {
        length += 1;
      }
      longest = Math.max(longest, length);
    }
  }
  return longest;
}

function expectedUnderNext(userId: string, facts: readonly Fact[], before: Recorded): Expected {
  const counted = facts.filter((fact) => fact.durationSeconds >= NEXT.minimumDurationSeconds);
  const totalXp = counted
    .map(
      (fact) =>
        NEXT.base +
        (fact.score === null ? 0 : Math.floor(fact.score / NEXT.score.step) * NEXT.score.xpPerStep) +
        Math.min(Math.floor(fact.durationSeconds / NEXT.duration.stepSeconds), NEXT.duration.maxSteps) * NEXT.duration.xpPerStep,
    )
    .reduce((sum, xp) => sum + xp, 0);
  const level = Math.max(levelFor(totalXp), before.level);
  const stats = {
    sessionsCompleted: counted.length,
    streakDays: longestRun(new Set(counted.map((fact) => fact.day))),
    score: Math.max(-1, ...counted.map((fact) => fact.score ?? -1)),
    level,
    // This test's sessions list no skills.
    skillsPractised: 0,
    skillMastery: 0,
  };
  const earned = NEXT.badges.filter(([code, metric, atLeast]) => !before.badges.includes(code) && stats[metric] >= atLeast).map(([code]) => code);
  const awards = earned.map((code) => `badge.awarded ${code} ${deterministicEventId('badge.awarded', SOURCE, userId, code)}`);
  if (level > before.level) {
    awards.push(`level.up ${before.level}->${level} at ${totalXp} ${deterministicEventId('level.up', SOURCE, userId, String(level))}`);
  }
  return { totalXp, level, badges: [...before.badges, ...earned].sort(), awards: awards.sort() };
}

/** 3 to 7 sessions each over a few weeks, with gaps, short sessions, missing and perfect scores. */
function generateFacts(random: SeededRandom): Map<string, Fact[]> {
  const durations = [90, 300, 600, 1200, 1800, 2400, 3000, 3600];
  const users = new Map<string, Fact[]>();
  for (let index = 0; index < USERS; index += 1) {
    let day = random.int(0, 20);
    const facts: Fact[] = [];
    for (let count = random.int(3, 7); count > 0; count -= 1) {
      facts.push({ day, durationSeconds: durations[random.int(0, durations.length - 1)], score: random.next() < 0.15 ? null : random.int(0, 100) });
      day += [0, 1, 1, 1, 2, 3][random.int(0, 5)];
    }
    users.set(`apply-${String(index).padStart(5, '0')}`, facts);
  }
  return users;
}

const dayOne = Date.parse('2026-10-01T09:00:00Z');

/** Every user's recorded state: version, XP, level, badges, and the outbox rows of the version 7 recompute. */
async function snapshot(client: Client) {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  try {
    const profiles: Array<{ user_id: string; total_xp: number; level: number; rules_version: number }> = (
      await client.query(`SELECT user_id, total_xp, level, rules_version FROM user_profiles ORDER BY user_id`)
    ).rows;
    const badges: Array<{ user_id: string; badge_code: string; source_event_id: string }> = (
      await client.query(`SELECT user_id, badge_code, source_event_id FROM user_badges`)
    ).rows;
    const awards: Array<{ message_key: string; event_id: string; type: string; payload: Record<string, unknown>; rows: number }> = (
      await client.query(
        `SELECT message_key, event_id, payload->>'type' AS type, (array_agg(payload::text))[1]::json AS payload, count(*)::int AS rows
         FROM outbox_messages WHERE payload->>'sourceEventId' = $1 GROUP BY message_key, topic, event_id, payload->>'type'`,
        [SOURCE],
      )
    ).rows;
    const [version] = (await client.query(`SELECT completed_at, users_recomputed FROM rules_versions WHERE version = 7`)).rows as Array<{
      completed_at: Date | null;
      users_recomputed: number;
    }>;
    const [{ outbox, digest }] = (
      await client.query(
        `SELECT (SELECT count(*)::int FROM outbox_messages) AS outbox,
                md5(concat((SELECT string_agg(p::text, '|' ORDER BY user_id) FROM user_profiles p),
                           (SELECT string_agg(b::text, '|' ORDER BY user_id, badge_code) FROM user_badges b),
                           (SELECT string_agg(o::text, '|' ORDER BY id) FROM outbox_messages o))) AS digest`,
      )
    ).rows as Array<{ outbox: number; digest: string }>;
    const users = new Map(profiles.map((row) => [row.user_id, { ...row, badges: [] as string[], nextBadges: [] as string[], awards: [] as string[] }]));
    for (const row of badges) {
      users.get(row.user_id)!.badges.push(row.badge_code);
      if (row.source_event_id === SOURCE) {
        users.get(row.user_id)!.nextBadges.push(row.badge_code);
      }
    }
    for (const row of awards) {
      const payload = row.payload as { badgeCode?: string; previousLevel?: number; newLevel?: number; totalXp?: number };
      const award =
        row.type === 'badge.awarded' ? `badge.awarded ${payload.badgeCode}` : `level.up ${payload.previousLevel}->${payload.newLevel} at ${payload.totalXp}`;
      // A row published twice would show as a second entry: the expectation holds each award once.
      for (let copy = 0; copy < row.rows; copy += 1) {
        users.get(row.message_key)!.awards.push(`${award} ${row.event_id}`);
      }
    }
    return { users, version: version ?? null, outbox, digest };
  } finally {
    await client.query('COMMIT');
  }
}

/** An apply of the version 7 file as an operator runs it: the built command, as a process. */
function startApply(file: string, url: string) {
  const child = spawn(process.execPath, [appEntry('cli'), 'apply', file, `--batch=${BATCH}`, '--by=rules-apply-killed'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, exited };
}

/** The apply (issue 10): SIGKILLed twice while it walks the users, then run again to the end and once more. */
describe('scenario: the rules apply SIGKILLed twice, then run again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rules-apply-killed-'));
  const nextFile = join(dir, 'rules-v7.yaml');
  const url = ownDatabaseUrl('gamification_test_rules_apply_killed');
  const client = new Client({ connectionString: url });
  const random = seededRandom('rules-apply-killed');
  const facts = generateFacts(random);
  const recorded = new Map<string, Recorded>();
  const expected = new Map<string, Expected>();

  beforeAll(async () => {
    writeFileSync(nextFile, nextYaml);
    // The users as the worker leaves them under version 6 (the RULES_FILE the first start records).
    const moduleRef = await startApplication(url, { now: () => now });
    try {
      const sessions = [...facts].flatMap(([userId, userFacts]) =>
        userFacts.map((fact, index) => ({
          userId,
          // 09:00, 09:30, ... UTC on the fact's day.
          at: dayOne + fact.day * 86_400_000 + index * 1_800_000,
          fact,
        })),
      );
      sessions.sort((a, b) => a.at - b.at);
      const useCase = moduleRef.get(ApplySessionCompletedUseCase);
      for (let start = 0; start < sessions.length; start += 500) {
        const batch = sessions.slice(start, start + 500).map(({ userId, at, fact }) =>
          parsedSession(
            aSessionCompleted({
              userId,
              completedAt: new Date(at).toISOString(),
              durationSeconds: fact.durationSeconds,
              score: fact.score,
              timezone: 'UTC',
            }),
            now,
          ),
        );
        const outcomes = await useCase.executeBatch(new ApplySessionBatchCommand(batch, 'kafka'));
        expect(outcomes.filter((outcome) => outcome.status !== 'applied')).toEqual([]);
      }
    } finally {
      await moduleRef.close();
    }
    await client.connect();
    const before = await snapshot(client);
    for (const [userId, user] of before.users) {
      expect(user.rules_version).toBe(6);
      recorded.set(userId, { totalXp: user.total_xp, level: user.level, badges: [...user.badges].sort() });
      expected.set(userId, expectedUnderNext(userId, facts.get(userId)!, recorded.get(userId)!));
    }
    expect(recorded.size).toBe(USERS);
  }, 600_000);

  afterAll(async () => {
    await client.end();
  });

  /** Users whose recorded state is not wholly the one of their version: version 6 as before the apply, or 7 as expected. */
  const halfway = (state: Awaited<ReturnType<typeof snapshot>>) => {
    const wrong: unknown[] = [];
    for (const [userId, user] of state.users) {
      const actual = { version: user.rules_version, totalXp: user.total_xp, level: user.level, badges: [...user.badges].sort(), nextBadges: user.nextBadges.sort(), awards: user.awards.sort() };
      const want =
        user.rules_version === 6
          ? { version: 6, ...recorded.get(userId)!, nextBadges: [], awards: [] }
          : {
              version: 7,
              totalXp: expected.get(userId)!.totalXp,
              level: expected.get(userId)!.level,
              badges: expected.get(userId)!.badges,
              nextBadges: expected.get(userId)!.badges.filter((code) => !recorded.get(userId)!.badges.includes(code)),
              awards: expected.get(userId)!.awards,
            };
      if (JSON.stringify(actual) !== JSON.stringify(want)) {
        wrong.push({ userId, actual, expected: want });
      }
    }
    return wrong.slice(0, 10);
  };
  const onNext = (state: Awaited<ReturnType<typeof snapshot>>) => [...state.users.values()].filter((user) => user.rules_version === 7).length;

  /** Once the killed process's connections are gone, no transaction of its can still commit. */
  const untilItsConnectionsAreGone = async () => {
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
      const { rows } = await client.query(`SELECT count(*)::int AS others FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
      if (rows[0].others === 0) {
        return;
      }
    }
    throw new Error('the killed apply still has connections open after 60 s');
  };

  /** Starts the apply, and SIGKILLs it once it has committed `target` users or more; false when it finished first. */
  const killOnProgress = async (target: number): Promise<boolean> => {
    const { child, exited } = startApply(nextFile, url);
    let finished = false;
    void exited.then(() => (finished = true));
    for (const deadline = Date.now() + 180_000; !finished; await new Promise((resolve) => setTimeout(resolve, 10))) {
      const { rows } = await client.query(`SELECT count(*)::int AS users FROM user_profiles WHERE rules_version = 7`);
      if (rows[0].users >= target) {
        child.kill('SIGKILL');
        break;
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the apply did not reach ${target} users in 180 s:\n${(await exited).stderr}`);
      }
    }
    const result = await exited;
    await untilItsConnectionsAreGone();
    if (result.signal === 'SIGKILL') {
      return true;
    }
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    process.stdout.write(`rules-apply-killed: the apply finished before it reached ${target} users and could be killed\n`);
    return false;
  };

  it('leaves each user wholly on one version at every kill, finishes on the re-run, and publishes each award once', async () => {
    const mix = [...expected].map(([userId, want]) => ({ before: recorded.get(userId)!, want }));
    // The data set exercises the policy, whatever the seed: XP down and up, a badge newly earned,
    // levels newly reached and kept, each for dozens of users.
    expect(mix.filter(({ before, want }) => want.totalXp < before.totalXp).length).toBeGreaterThan(USERS / 100);
    expect(mix.filter(({ before, want }) => want.totalXp > before.totalXp).length).toBeGreaterThan(USERS / 100);
    expect(mix.filter(({ want }) => want.awards.some((award) => award.startsWith('badge.awarded TWO_IN_A_ROW'))).length).toBeGreaterThan(USERS / 100);
    expect(mix.filter(({ before, want }) => want.level > before.level).length).toBeGreaterThan(USERS / 100);
    expect(mix.filter(({ before, want }) => levelFor(want.totalXp) < before.level).length).toBeGreaterThan(USERS / 100);

    const killed: boolean[] = [];
    let previous = 0;
    for (const attempt of [1, 2]) {
      // Somewhere in the first sixth of what is left: one to twenty batches on from the last kill.
      killed.push(await killOnProgress(previous + BATCH * random.int(1, 20)));
      const state = await snapshot(client);
      const done = onNext(state);
      process.stdout.write(`rules-apply-killed: attempt ${attempt} ${killed[attempt - 1] ? 'killed' : 'finished'} with ${done}/${USERS} users on version 7\n`);

      expect(halfway(state)).toEqual([]);
      expect(done).toBeGreaterThan(previous);
      // The count of users recomputed commits with their batch, so it is exact after a kill too.
      expect(state.version?.users_recomputed).toBe(done);
      expect(state.version?.completed_at === null).toBe(done < USERS);
      previous = done;
    }
    // The first kill lands after at most 500 of the 3,000 users, long before the end.
    expect(killed[0]).toBe(true);

    const rerun = await startApply(nextFile, url).exited;
    const after = await snapshot(client);
    process.stdout.write(`rules-apply-killed: the re-run said\n${rerun.stdout}`);

    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain(killed[1] ? 'resuming an apply that was interrupted' : 'version 7 is in force already; nothing to do');
    expect(rerun.stdout).toContain('version 7 is in force');
    expect(halfway(after)).toEqual([]);
    expect(onNext(after)).toBe(USERS);
    expect(after.version?.completed_at).toBeInstanceOf(Date);
    expect(after.version?.users_recomputed).toBe(USERS);
    // Every award of the recompute queued exactly once, none missing: newly earned badges and levels newly reached.
    const queued = [...after.users.values()].flatMap((user) => user.awards).sort();
    const wanted = [...expected.values()].flatMap((want) => want.awards).sort();
    expect(queued.length).toBe(wanted.length);
    expect(queued).toEqual(wanted);

    const fourth = await startApply(nextFile, url).exited;
    const unchanged = await snapshot(client);

    expect({ code: fourth.code, stdout: fourth.stdout }).toEqual({ code: 0, stdout: `${nextFile}: version 7 is in force already; nothing to do\n` });
    expect(unchanged.outbox).toBe(after.outbox);
    // Every column of every profile, badge and outbox row, as the completed apply left them.
    expect(unchanged.digest).toBe(after.digest);
    expect(unchanged.version).toEqual(after.version);
  }, 600_000);
});
