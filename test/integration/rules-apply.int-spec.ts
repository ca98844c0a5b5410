import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { appEntry, projectRoot, recreateDatabase } from '@app/dev-stack';
import { contractLevel, eventually, referenceUser, type SessionCompletedMessage } from '@app/testing';
import { WorkerFleet } from '../faults/support/worker-fleet';
import { ownDatabaseUrl } from '../support/test-env';

const root = projectRoot();
const shipped = readFileSync(join(root, 'config', 'rules.yaml'), 'utf8');
const DAY_MS = 86_400_000;

/** Version 1: the contract's default rules, which the reference fold (libs/testing) is written from. */
const v1 = shipped.replace(/^version: \d+$/m, 'version: 1');
/** Version 2: base 60 instead of 50, at most one duration step instead of three, and a new badge. */
const v2 = shipped
  .replace(/^version: \d+$/m, 'version: 2')
  .replace('  base: 50', '  base: 60')
  .replace('    maxSteps: 3', '    maxSteps: 1')
  .replace(
    '    when: { metric: level, atLeast: 10 }\n',
    '    when: { metric: level, atLeast: 10 }\n  - code: TWO_IN_A_ROW\n    name: Two in a Row\n    description: Practise 2 days in a row\n    when: { metric: streakDays, atLeast: 2 }\n',
  );

/** Version 2's XP, from the meaning of its file: the contract's formula with base 60 and one duration step at most. */
function v2SessionXp(event: SessionCompletedMessage): number {
  if (event.durationSeconds < 60) {
    return 0;
  }
  const score = typeof event.score === 'number' ? Math.floor(event.score / 10) * 5 : 0;
  return 60 + score + Math.min(Math.floor(event.durationSeconds / 600), 1) * 10;
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** Version 2's badges for a user's sessions at a level: the contract's, with level badges at that level, and TWO_IN_A_ROW. */
function v2Badges(events: readonly SessionCompletedMessage[], level: number, now: Date): string[] {
  const folded = referenceUser(events, now);
  const levelBadges = [...(level >= 5 ? ['LEVEL_5'] : []), ...(level >= 10 ? ['LEVEL_10'] : [])];
  const streak = folded.longestStreak >= 2 ? ['TWO_IN_A_ROW'] : [];
  return [...folded.badges.filter((code) => !code.startsWith('LEVEL_')), ...levelBadges, ...streak];
}

/** Nearest-rank percentile. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

let sequence = 0;
function session(userId: string, daysAgo: number, durationSeconds: number, score: number | null): SessionCompletedMessage {
  sequence += 1;
  return {
    eventId: randomUUID(),
    userId,
    sessionId: `s-${sequence}`,
    completedAt: new Date(Date.now() - daysAgo * DAY_MS - 3_600_000).toISOString(),
    durationSeconds,
    ...(score === null ? {} : { score }),
    timezone: 'UTC',
  };
}

/**
 * The whole life of a rules change, on the real broker, database and worker process: a stream under
 * version 1, the dry run of version 2 with exact figures, version 2 applied while events keep
 * arriving, every user checked against a fold under version 2 with the policy of contract section 6
 * (XP recomputed, badges and levels kept), and every new award published exactly once.
 */
describe('applying new rules while the worker consumes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rules-apply-'));
  const v1File = join(dir, 'rules-v1.yaml');
  const v2File = join(dir, 'rules-v2.yaml');
  const url = ownDatabaseUrl('gamification_test_rules_apply');
  // The command queues awards on the topics the worker publishes to, so it takes the worker's settings.
  const options = () => ({ cwd: root, env: { PATH: process.env.PATH ?? '', ...fleet.env, LOG_LEVEL: 'warn' } });
  const run = (...args: string[]) => spawnSync(process.execPath, [appEntry('cli'), ...args], { ...options(), encoding: 'utf8' });
  let fleet: WorkerFleet;

  // Quiet users get no event during the apply: some lose XP under version 2 (long sessions) and keep
  // their level. Busy users' sessions are all shorter than 20 minutes, so every one gains XP under
  // version 2, and whichever version decided an event they end where the fold says. Their ids sort
  // after the quiet ones', so that the apply, which walks users in id order, reaches them last.
  const quiet = Array.from({ length: 60 }, (_, user) =>
    Array.from({ length: 2 + (user % 5) }, (_, index) =>
      session(`quiet-${user}`, 1 + ((user + index * (1 + (user % 3))) % 12), [30, 400, 900, 1500, 2400, 3600][(user + index) % 6], index % 4 === 3 ? null : (user * 7 + index * 31) % 101),
    ),
  ).flat();
  const busyUsers = Array.from({ length: 8 }, (_, user) => `steady-${user}`);
  const busyBefore = busyUsers.flatMap((userId, user) => [0, 1, 2].map((index) => session(userId, 2 + index * 2, 300 + ((user * 97 + index * 211) % 899), (user * 11 + index * 17) % 101)));
  const busyDuring = busyUsers.flatMap((userId, user) => [0, 1, 2, 3, 4, 5].map((index) => session(userId, index % 3, 100 + ((user * 53 + index * 149) % 1099), (user * 19 + index * 23) % 101)));
  const busyAfter = busyUsers.map((userId, user) => session(userId, 0, 700, 90 + (user % 11)));
  const before = [...quiet, ...busyBefore];
  const all = [...before, ...busyDuring, ...busyAfter];
  const users = [...new Set(all.map((event) => event.userId))];
  const eventsOf = (events: readonly SessionCompletedMessage[], userId: string) => events.filter((event) => event.userId === userId);

  beforeAll(async () => {
    writeFileSync(v1File, v1);
    writeFileSync(v2File, v2);
    await recreateDatabase(url, () => undefined);
    fleet = await WorkerFleet.create({ DATABASE_URL: url, RULES_FILE: v1File, MAX_EVENTS_PER_TRANSACTION: '20' });
    await fleet.startWorker();
    await fleet.stream(before, 50, 0);
    await eventually('the stream under version 1 to be applied', async () => ((await fleet.processedCount(before)) === before.length ? true : undefined), 60_000);
  }, 120_000);

  afterAll(async () => {
    await fleet?.stop();
  });

  it('diffs, applies under load, and leaves every user as the fold under version 2 with the policy says', async () => {
    const now = new Date();
    const recordedBefore = new Map(users.map((userId) => [userId, referenceUser(eventsOf(before, userId), now)]));

    // The dry run: figures computed here from the reference fold and version 2's formula.
    const expectedDiff = users.map((userId) => {
      const recorded = recordedBefore.get(userId)!;
      const xp = sum(eventsOf(before, userId).map(v2SessionXp));
      const level = Math.max(contractLevel(xp), recorded.level);
      const newBadges = v2Badges(eventsOf(before, userId), level, now).filter((code) => !recorded.badges.includes(code));
      return { delta: xp - recorded.totalXp, levelChanged: level !== recorded.level, level, newBadges };
    });
    const deltas = expectedDiff.map((user) => user.delta).sort((a, b) => a - b);
    const countBy = (keys: ReadonlyArray<string | number>) => {
      const counts: Record<string, number> = {};
      for (const key of keys) {
        counts[String(key)] = (counts[String(key)] ?? 0) + 1;
      }
      return counts;
    };
    const out = join(dir, 'diff.json');
    const diff = run('diff', v2File, `--out=${out}`);
    expect({ status: diff.status, stderr: diff.status === 0 ? '' : diff.stderr }).toEqual({ status: 0, stderr: '' });
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report).toEqual({
      file: v2File,
      fromVersion: 1,
      toVersion: 2,
      usersScanned: users.length,
      usersChanged: {
        any: expectedDiff.filter((user) => user.delta !== 0 || user.levelChanged || user.newBadges.length > 0).length,
        xp: expectedDiff.filter((user) => user.delta !== 0).length,
        level: expectedDiff.filter((user) => user.levelChanged).length,
        badges: expectedDiff.filter((user) => user.newBadges.length > 0).length,
      },
      xpDelta: { min: deltas[0], p50: percentile(deltas, 50), p99: percentile(deltas, 99), max: deltas[deltas.length - 1] },
      newlyEarnedBadges: countBy(expectedDiff.flatMap((user) => user.newBadges)),
      newlyReachedLevels: countBy(expectedDiff.filter((user) => user.levelChanged).map((user) => user.level)),
    });
    // The inputs tell right from wrong: XP goes down for some users and up for others, someone
    // earns the new badge and someone reaches a level.
    expect([deltas[0] < 0, deltas[deltas.length - 1] > 0, report.newlyEarnedBadges.TWO_IN_A_ROW > 0, Object.keys(report.newlyReachedLevels).length > 0]).toEqual([true, true, true, true]);

    // The apply, with events arriving while it is under way: the first user it walks to is held
    // locked here, so that it stops there, with version 2 recorded, until the busy users' events
    // (whose ids sort last) are all applied; the worker must recompute them itself first.
    const holder = new Client({ connectionString: url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM user_profiles WHERE user_id = 'quiet-0' FOR UPDATE`);
    const applying = spawn(process.execPath, [appEntry('cli'), 'apply', v2File, '--batch=3', '--by=rules-apply-test'], { ...options(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    applying.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => applying.once('exit', resolve));
    await eventually('version 2 to be recorded', async () => {
      const [{ versions }] = await fleet.dataSource.query(`SELECT count(*)::int AS versions FROM rules_versions WHERE version = 2`);
      return versions === 1 ? true : undefined;
    }, 60_000);
    await fleet.stream(busyDuring, 2, 15);
    await eventually('the events during the apply to be applied', async () => ((await fleet.processedCount(busyDuring)) === busyDuring.length ? true : undefined), 60_000);
    const duringApply = async () =>
      (await fleet.dataSource.query(
        `SELECT (SELECT users_recomputed FROM rules_versions WHERE version = 2) AS "byApply",
           (SELECT array_agg(DISTINCT rules_version) FROM user_profiles WHERE user_id = ANY($1)) AS "busyOn",
           (SELECT array_agg(DISTINCT rules_version) FROM processed_events WHERE event_id = ANY($2)) AS "decidedUnder"`,
        [busyUsers, busyDuring.map((event) => event.eventId)],
      ))[0];
    expect(await duringApply()).toEqual({ byApply: 0, busyOn: [2], decidedUnder: [2] });
    await holder.query('COMMIT');
    await holder.end();
    expect(await exited).toBe(0);
    expect(stdout).toContain('version 2 is in force');
    // The apply recomputed the quiet users; the worker had recomputed the busy ones.
    expect((await duringApply()).byApply).toBe(users.length - busyUsers.length);
    await fleet.stream(busyAfter, 8, 0);
    await eventually('every event to be applied', async () => ((await fleet.processedCount(all)) === all.length ? true : undefined), 60_000);

    const expected = new Map(
      users.map((userId) => {
        const events = eventsOf(all, userId);
        const folded = referenceUser(events, now);
        const totalXp = sum(events.map(v2SessionXp));
        const level = Math.max(contractLevel(totalXp), recordedBefore.get(userId)!.level);
        const badges = [...new Set([...recordedBefore.get(userId)!.badges, ...v2Badges(events, level, now)])].sort();
        return [userId, { userId, totalXp, level, sessionsCompleted: folded.sessionsCompleted, longestStreak: folded.longestStreak, badges, rulesVersion: 2 }];
      }),
    );
    const stored: Array<{ userId: string; totalXp: number; level: number; sessionsCompleted: number; longestStreak: number; badges: string[]; rulesVersion: number }> =
      await fleet.dataSource.query(
        `SELECT p.user_id AS "userId", p.total_xp AS "totalXp", p.level, p.sessions_completed AS "sessionsCompleted", p.longest_streak AS "longestStreak",
           coalesce((SELECT array_agg(b.badge_code ORDER BY b.badge_code) FROM user_badges b WHERE b.user_id = p.user_id), '{}') AS badges,
           p.rules_version AS "rulesVersion"
         FROM user_profiles p WHERE p.user_id = ANY($1) ORDER BY p.user_id`,
        [users],
      );
    expect(stored).toEqual([...users].sort().map((userId) => expected.get(userId)));

    // No user's sessions were decided under version 2 and then again under version 1.
    const versionsInOrder: Array<{ user_id: string; versions: number[] }> = await fleet.dataSource.query(
      `SELECT user_id, array_agg(rules_version ORDER BY processed_at, event_id) AS versions FROM processed_events WHERE user_id = ANY($1) GROUP BY user_id`,
      [busyUsers],
    );
    for (const { user_id: userId, versions } of versionsInOrder) {
      expect({ userId, versions }).toEqual({ userId, versions: [...versions].sort((a, b) => a - b) });
      expect(versions[versions.length - 1]).toBe(2);
    }

    // Every badge each user holds was published once, and their level-ups climb from 1 to their level without a repeat.
    const { recorder, topics } = fleet.invariantInputs();
    for (const userId of users) {
      const { badges, level } = expected.get(userId)!;
      await eventually(`the awards of ${userId} to be published`, async () => (recorder.received(topics.badgeAwarded, userId).length >= badges.length ? true : undefined), 30_000);
      const published = recorder.values<{ badgeCode: string }>(topics.badgeAwarded, userId).map((event) => event.badgeCode).sort();
      const steps = recorder.values<{ previousLevel: number; newLevel: number }>(topics.levelUp, userId).map((event) => [event.previousLevel, event.newLevel]);
      const climbed = steps.reduce((reached, [from, to]) => (from === reached ? to : Number.NaN), 1);
      expect({ userId, published, climbed }).toEqual({ userId, published: badges, climbed: level });
    }

    // A second apply of the same rules changes and publishes nothing.
    const [{ outbox: queued }] = await fleet.dataSource.query(`SELECT count(*)::int AS outbox FROM outbox_messages`);
    const again = run('apply', v2File);
    expect({ status: again.status, stdout: again.stdout }).toEqual({ status: 0, stdout: `${v2File}: version 2 is in force already; nothing to do\n` });
    const [{ outbox: queuedAfter }] = await fleet.dataSource.query(`SELECT count(*)::int AS outbox FROM outbox_messages`);
    expect(queuedAfter).toBe(queued);

    expect(run('history').stdout).toMatch(/^rules versions, newest first:\n +2 {2}in-force +\S+ {2}rules-apply-test {2}.*rules-v2\.yaml\n +1 {2}superseded +\S+ {2}the first start \(RULES_FILE\) {2}.*rules-v1\.yaml\n$/);
  }, 300_000);
});
