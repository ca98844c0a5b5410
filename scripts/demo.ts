import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import {
  appEntry,
  ensureDatabase,
  findOrStartKafka,
  hasDockerEngine,
  printProgress,
  projectRoot,
  runMigrations,
  type RunningKafka,
  WORKER_NODE_FLAGS,
} from '@app/dev-stack';
import jwt from 'jsonwebtoken';
import type { ProfileView } from '@app/application';
import { createDataSource, ProcessedEventEntity } from '@app/persistence';
import { eventually } from '@app/testing';

/**
 * npm run demo — brings up Kafka (KAFKA_BROKERS, else docker compose, else a real local broker from
 * Maven Central), the database (DATABASE_URL, else the machine's Postgres), runs the migrations,
 * starts the built worker and api, sends sample session.completed events for a fresh demo user and
 * prints what came out: the user's profile from the api and the award events read back from their
 * topics. Then it keeps the engine running for curl (Ctrl-C stops it), unless DEMO_ONCE=1.
 */
const root = projectRoot();
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/gamification';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// A development-only key, printed below so that tokens can be minted for curl; set JWT_SECRET to use your own.
const JWT_SECRET = process.env.JWT_SECRET ?? 'development-only-secret-do-not-use-in-production';
const API_PORT = Number(process.env.PORT ?? 3000);
const API_URL = `http://127.0.0.1:${API_PORT}`;
const TOPICS = {
  sessionCompleted: process.env.TOPIC_SESSION_COMPLETED ?? 'session.completed',
  dlq: process.env.TOPIC_SESSION_COMPLETED_DLQ ?? 'session.completed.dlq',
  badgeAwarded: process.env.TOPIC_BADGE_AWARDED ?? 'badge.awarded',
  levelUp: process.env.TOPIC_LEVEL_UP ?? 'level.up',
};
const log = (message: string) => process.stdout.write(`${message}\n`);

async function kafkaForDemo(): Promise<RunningKafka> {
  if (!process.env.KAFKA_BROKERS && hasDockerEngine()) {
    printProgress('Docker found: starting Kafka with docker compose...');
    const up = spawnSync('docker', ['compose', 'up', '-d', '--wait', 'kafka'], { cwd: root, stdio: 'inherit' });
    if (up.status !== 0) {
      throw new Error('docker compose up kafka failed');
    }
    return { brokers: ['127.0.0.1:9094'], logFile: null, stop: async () => undefined };
  }
  return findOrStartKafka({
    brokers: process.env.KAFKA_BROKERS,
    dataDir: join(root, '.cache', 'kafka', 'demo-data'),
    progress: printProgress,
  });
}

interface RunningApp {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

function startApp(app: 'worker' | 'api', env: NodeJS.ProcessEnv): RunningApp {
  const flags = app === 'worker' ? WORKER_NODE_FLAGS : [];
  const child = spawn(process.execPath, [...flags, appEntry(app)], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .forEach((line) => process.stderr.write(`  [${app}] ${line}\n`));
  child.stdout?.on('data', prefix);
  child.stderr?.on('data', prefix);
  return { child, exited: new Promise((resolve) => child.once('exit', resolve)) };
}

function sampleSessions(userId: string, now: Date) {
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * 3_600_000).toISOString();
  const session = (hoursAgo: number, durationSeconds: number, score: number) => ({
    eventId: randomUUID(),
    userId,
    sessionId: `sess-${randomUUID().slice(0, 8)}`,
    completedAt: at(hoursAgo),
    durationSeconds,
    score,
    timezone: 'Europe/Berlin',
  });
  return [session(48, 1800, 85), session(24, 1200, 92), session(0.2, 2400, 78), session(0.1, 900, 100)];
}

async function stopAll(apps: RunningApp[]): Promise<void> {
  for (const app of apps) {
    app.child.kill('SIGTERM');
    await app.exited;
  }
}

async function main(): Promise<void> {
  const kafka = await kafkaForDemo();
  const apps: RunningApp[] = [];
  const dataSource = createDataSource({ url: DATABASE_URL, poolSize: 2 }, 'gamification-demo');
  try {
    await ensureDatabase(DATABASE_URL, printProgress);
    const applied = await runMigrations(DATABASE_URL);
    printProgress(applied.length === 0 ? 'database schema is up to date' : `migrations applied: ${applied.join(', ')}`);

    printProgress('starting the worker and the api...');
    const env = {
      ...process.env,
      KAFKA_BROKERS: kafka.brokers.join(','),
      DATABASE_URL,
      REDIS_URL,
      JWT_SECRET,
      PORT: String(API_PORT),
      NODE_ENV: 'development',
    };
    apps.push(startApp('worker', env), startApp('api', env));
    const client = new Kafka({ brokers: kafka.brokers, clientId: 'demo', logLevel: logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    await eventually('the worker to create its topics', async () =>
      (await admin.listTopics()).includes(TOPICS.levelUp) ? true : undefined,
    );
    await admin.disconnect();

    const userId = `demo-${Date.now().toString(36)}`;
    const sessions = sampleSessions(userId, new Date());
    const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const messages = [
      ...sessions.map((session) => ({ key: userId, value: JSON.stringify(session) })),
      { key: userId, value: JSON.stringify(sessions[0]) },
      { key: userId, value: '{"eventId": "broken", "userId": ' },
    ];
    await producer.send({ topic: TOPICS.sessionCompleted, acks: -1, messages });
    await producer.disconnect();
    log(`\nSent ${messages.length} messages to ${TOPICS.sessionCompleted} for ${userId}:`);
    sessions.forEach((s) => log(`  ${s.completedAt}  ${s.durationSeconds / 60} min  score ${s.score}  (${s.eventId})`));
    log(`  + the first one again (same eventId) and one message that is not JSON`);

    await dataSource.initialize();
    await eventually('the worker to apply the sessions', async () =>
      (await dataSource.getRepository(ProcessedEventEntity).countBy({ userId })) === sessions.length ? true : undefined,
    );
    const pending = async () =>
      Number(
        (
          await dataSource.query(
            `SELECT count(*) AS n FROM outbox_messages WHERE message_key = $1 AND sent_at IS NULL`,
            [userId],
          )
        )[0].n,
      );
    await eventually('the relay to publish the award events', async () => ((await pending()) === 0 ? true : undefined));
    const expectedAwards = Number(
      (await dataSource.query(`SELECT count(*) AS n FROM outbox_messages WHERE message_key = $1`, [userId]))[0].n,
    );

    const awards: Array<{ topic: string; value: Record<string, unknown>; eventIdHeader: string }> = [];
    const dlq: Array<{ code: string; message: string }> = [];
    const reader = client.consumer({ groupId: `demo-reader-${randomUUID()}` });
    await reader.connect();
    await reader.subscribe({ topics: [TOPICS.badgeAwarded, TOPICS.levelUp, TOPICS.dlq], fromBeginning: true });
    await reader.run({
      eachMessage: async ({ topic, message }) => {
        if (message.key?.toString() !== userId) {
          return;
        }
        if (topic === TOPICS.dlq) {
          dlq.push({ code: String(message.headers?.['x-error-code']), message: String(message.headers?.['x-error-message']) });
        } else {
          awards.push({
            topic,
            value: JSON.parse(message.value?.toString() ?? '{}'),
            eventIdHeader: String(message.headers?.['event-id']),
          });
        }
      },
    });
    await eventually('the award events on their topics', async () =>
      awards.length >= expectedAwards && dlq.length >= 1 ? true : undefined,
    );
    await reader.disconnect();

    const token = jwt.sign({ sub: userId }, JWT_SECRET, { algorithm: 'HS256', expiresIn: '12h' });
    const profile = await eventually('the api to answer', async () => {
      const response = await fetch(`${API_URL}/gamification/profile`, { headers: { Authorization: `Bearer ${token}` } }).catch(
        () => undefined,
      );
      return response?.ok ? ((await response.json()) as ProfileView) : undefined;
    });
    log(`\nThe Locker Room dashboard: ${API_URL}/  (sign in as ${userId} to see these sessions)`);
    log(`\nGET ${API_URL}/gamification/profile as ${userId}:`);
    log(`  level ${profile.level}, ${profile.totalXp} XP (${profile.xpIntoLevel} into the level, ${profile.xpForNextLevel} to the next)`);
    log(`  ${profile.sessionsCompleted} sessions, streak ${profile.currentStreak} day(s), longest ${profile.longestStreak}, last practice ${profile.lastPracticeDate}`);
    log(`  badges: ${profile.badges.map((badge) => `${badge.code} (${badge.name})`).join(', ')}`);
    for (const challenge of profile.challenges) {
      const state = challenge.isClaimed ? 'claimed' : challenge.isCompleted ? 'completed, ready to claim' : 'in progress';
      log(`  challenge ${challenge.type} ${challenge.progress}/${challenge.target}: ${state} (+${challenge.xpReward} XP)  id ${challenge.id}`);
    }
    log(`\nAward events read back from ${TOPICS.badgeAwarded} and ${TOPICS.levelUp}:`);
    for (const award of awards) {
      log(`  ${award.topic}  event-id ${award.eventIdHeader}  ${JSON.stringify(award.value)}`);
    }
    log(`\nRejected to ${TOPICS.dlq}:`);
    dlq.forEach((entry) => log(`  x-error-code ${entry.code}: ${entry.message}`));

    const claimable = profile.challenges.find((challenge) => challenge.isCompleted && !challenge.isClaimed);
    log(`\nThe engine is running. Dashboard: ${API_URL}/ (sign in as ${userId}). OpenAPI UI: ${API_URL}/docs. Try:`);
    log(`  export TOKEN=${token}`);
    log(`  curl -s -H "Authorization: Bearer $TOKEN" ${API_URL}/gamification/profile`);
    if (claimable !== undefined) {
      log(`  curl -s -X POST -H "Authorization: Bearer $TOKEN" ${API_URL}/gamification/claim-challenge/${claimable.id}`);
    }
    log(`Tokens for other users: JWT_SECRET=${JWT_SECRET} npm run -s token -- <userId>`);
    if (process.env.DEMO_ONCE === '1') {
      return;
    }
    log('Press Ctrl-C to stop.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  } finally {
    if (dataSource.isInitialized) {
      await dataSource.destroy();
    }
    await stopAll(apps);
    await kafka.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`demo failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
