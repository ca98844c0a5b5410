import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
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
import type { ProfileView, SkillsView } from '@app/application';
import type { PracticeAnalytics } from '@app/domain';
import { createDataSource, ProcessedEventEntity } from '@app/persistence';
import { eventually } from '@app/testing';

/**
 * npm run demo — brings up Kafka (KAFKA_BROKERS, else docker compose, else a real local broker from
 * Maven Central), the database (DATABASE_URL, else the machine's Postgres), runs the migrations,
 * starts the built worker and api, sends sample session.completed events for a fresh demo user and
 * prints what came out: the user's profile from the api and the award events read back from their
 * topics. Then it keeps the engine running for curl (Ctrl-C stops it), unless DEMO_ONCE=1.
 *
 * The worker, the api and a local broker run in process groups of their own, so that Ctrl-C reaches
 * only this script, which stops them in order: worker and api first (the worker leaves its consumer
 * group), the broker last. Were the broker to die first, the worker could not leave, and the next
 * run's worker would wait in JoinGroup for the dead member's session to expire. Their logs go to
 * .cache/demo/ (DEMO_DIR) and are shown when something fails.
 */
const root = projectRoot();
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/gamification';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// A development-only key, printed below so that tokens can be minted for curl; set JWT_SECRET to use your own.
const JWT_SECRET = process.env.JWT_SECRET ?? 'development-only-secret-do-not-use-in-production';
const API_PORT = Number(process.env.PORT ?? 3000);
const API_URL = `http://127.0.0.1:${API_PORT}`;
const WORKER_HTTP_PORT = Number(process.env.WORKER_HTTP_PORT ?? 9464);
const WORKER_READY_URL = `http://127.0.0.1:${WORKER_HTTP_PORT}/health/ready`;
// The children's logs, and the broker's data, kept between runs (topics, groups and offsets survive a
// restart, as in production). DEMO_DIR moves them, so that a test's demo does not share a developer's.
const DEMO_DIR = process.env.DEMO_DIR ?? join(root, '.cache', 'demo');
const KAFKA_DATA_DIR = join(DEMO_DIR, 'kafka-data');
/** Longer than any group join should take: one behind a member that died without leaving waits out its session. */
const WORKER_READY_TIMEOUT_MS = 120_000;
/** Time a child gets to stop on SIGTERM (the worker's own deadline is 9 s) before it is killed. */
const STOP_TIMEOUT_MS = 15_000;
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
    dataDir: KAFKA_DATA_DIR,
    progress: printProgress,
    ownProcessGroup: true,
  });
}

interface RunningApp {
  readonly name: 'worker' | 'api';
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly exited: Promise<number | null>;
}

function startApp(name: 'worker' | 'api', env: NodeJS.ProcessEnv): RunningApp {
  const flags = name === 'worker' ? WORKER_NODE_FLAGS : [];
  mkdirSync(DEMO_DIR, { recursive: true });
  const logFile = join(DEMO_DIR, `${name}.log`);
  const output = openSync(logFile, 'w');
  const child = spawn(process.execPath, [...flags, appEntry(name)], {
    cwd: root,
    env,
    stdio: ['ignore', output, output],
    detached: true,
  });
  closeSync(output);
  return { name, child, logFile, exited: new Promise((resolve) => child.once('exit', resolve)) };
}

/** A path as the user would type it from the project folder. */
function shown(path: string): string {
  return path.startsWith(root) ? relative(root, path) : path;
}

function lastLines(file: string, count: number): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '').slice(-count) : [];
}

/** Stops a child with SIGTERM, and kills it if it is still there after STOP_TIMEOUT_MS. */
async function stopApp(app: RunningApp): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) {
    return;
  }
  app.child.kill('SIGTERM');
  const timer = setTimeout(() => app.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await app.exited;
  clearTimeout(timer);
}

/** What the demo started, stopped in order on every way out: the apps first, the broker last. */
class DemoStack {
  readonly apps: RunningApp[] = [];
  kafka: Promise<RunningKafka> | null = null;
  readonly dataSource = createDataSource({ url: DATABASE_URL, poolSize: 2 }, 'gamification-demo');
  private stopping = false;

  /** Refused once stopping: steps abandoned by an interruption must not start what nobody will stop. */
  startApp(name: 'worker' | 'api', env: NodeJS.ProcessEnv): RunningApp {
    if (this.stopping) {
      throw new Error(`not starting the ${name}: the demo is stopping`);
    }
    const app = startApp(name, env);
    this.apps.push(app);
    return app;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.dataSource.isInitialized) {
      await this.dataSource.destroy();
    }
    await Promise.all(this.apps.map(stopApp));
    // A broker still starting when the demo was interrupted is stopped once it is up.
    const kafka = await this.kafka?.catch(() => null);
    await kafka?.stop();
  }

  showLogs(): void {
    for (const app of this.apps) {
      process.stderr.write(`\nlast lines of the ${app.name}'s log (${shown(app.logFile)}):\n`);
      lastLines(app.logFile, 25).forEach((line) => process.stderr.write(`  ${line}\n`));
    }
  }
}

/** Polls like `eventually`, saying what it waits for, and every few seconds how long it has waited and why. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, detail: () => string): Promise<T> {
  printProgress(`waiting for ${what}...`);
  const started = Date.now();
  const ticker = setInterval(
    () => printProgress(`  still waiting for ${what} (${Math.round((Date.now() - started) / 1000)} s): ${detail()}`),
    5_000,
  );
  try {
    return await eventually(what, probe, timeoutMs);
  } finally {
    clearInterval(ticker);
  }
}

/**
 * Resolves on the first SIGINT, SIGTERM or SIGHUP. Later ones are expected (npm and tsx forward the
 * terminal's Ctrl-C again) and only said: the demo is already stopping its children in order.
 */
function firstInterruption(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) {
        printProgress(`${signal} again: still stopping the worker and the api, then Kafka...`);
        return;
      }
      received = true;
      resolve(signal);
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(signal, onSignal);
    }
  });
}

/**
 * Six weeks of practice for the demo user, so that the Locker Room's calendar, trend and skill tree
 * have something to show: two or three sessions a week over the skills of the shipped tree, scores
 * rising, then the last three days' four sessions.
 */
function sampleSessions(userId: string, now: Date) {
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * 3_600_000).toISOString();
  const session = (hoursAgo: number, durationSeconds: number, score: number, skills: string[]) => ({
    eventId: randomUUID(),
    userId,
    sessionId: `sess-${randomUUID().slice(0, 8)}`,
    completedAt: at(hoursAgo),
    durationSeconds,
    score,
    timezone: 'Europe/Berlin',
    skills,
  });
  const topics = [['arrays', 'strings'], ['system-design', 'caching'], ['graphs'], ['leadership', 'communication'], ['databases'], ['dynamic-programming']];
  const earlier = Array.from({ length: 16 }, (_, index) =>
    session(24 * (44 - index * 2.5), 900 + (index % 4) * 600, 62 + index * 2, topics[index % topics.length]),
  );
  return [
    ...earlier,
    session(48, 1800, 85, ['arrays', 'graphs']),
    session(24, 1200, 92, ['conflict']),
    session(0.2, 2400, 78, ['scalability', 'databases']),
    session(0.1, 900, 100, ['communication']),
  ];
}

async function runDemo(stack: DemoStack): Promise<void> {
  stack.kafka = kafkaForDemo();
  const kafka = await stack.kafka;
  await ensureDatabase(DATABASE_URL, printProgress);
  const applied = await runMigrations(DATABASE_URL);
  printProgress(applied.length === 0 ? 'database schema is up to date' : `migrations applied: ${applied.join(', ')}`);

  printProgress(`starting the worker and the api (their logs: ${shown(join(DEMO_DIR, 'worker.log'))} and api.log)...`);
  const env = {
    ...process.env,
    KAFKA_BROKERS: kafka.brokers.join(','),
    DATABASE_URL,
    REDIS_URL,
    JWT_SECRET,
    PORT: String(API_PORT),
    WORKER_HTTP_PORT: String(WORKER_HTTP_PORT),
    NODE_ENV: 'development',
  };
  const worker = stack.startApp('worker', env);
  stack.startApp('api', env);
  // Ready means the topics exist and the worker holds its partitions in the consumer group.
  await waitFor(
    `the worker to join its consumer group (${WORKER_READY_URL})`,
    async () => {
      if (worker.child.exitCode !== null) {
        throw new Error(`the worker exited with code ${worker.child.exitCode}`);
      }
      const response = await fetch(WORKER_READY_URL).catch(() => undefined);
      return response?.status === 200 ? true : undefined;
    },
    WORKER_READY_TIMEOUT_MS,
    () => `the worker's last line: ${lastLines(worker.logFile, 1)[0] ?? '(none yet)'}`,
  );
  const client = new Kafka({ brokers: kafka.brokers, clientId: 'demo', logLevel: logLevel.NOTHING });

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
  sessions.forEach((s) => log(`  ${s.completedAt}  ${s.durationSeconds / 60} min  score ${s.score}  skills ${s.skills.join(', ')}  (${s.eventId})`));
  log(`  + the first one again (same eventId) and one message that is not JSON`);

  const { dataSource } = stack;
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
  const read = async <T>(path: string): Promise<T> => (await (await fetch(`${API_URL}${path}`, { headers: { Authorization: `Bearer ${token}` } })).json()) as T;
  const { skills } = await read<SkillsView>('/gamification/skills');
  log(`\nGET ${API_URL}/gamification/skills (each parent counts a session of its subtree once):`);
  for (const skill of skills.filter((node) => node.sessions > 0)) {
    log(`  ${skill.parent === null ? '' : '  '}${skill.name}: ${skill.xp} XP in ${skill.sessions} sessions, ${skill.mastery.name}`);
  }
  const analytics = await read<PracticeAnalytics>('/gamification/analytics?days=56');
  log(`GET ${API_URL}/gamification/analytics?days=56: ${analytics.days.length} days practised in ${analytics.timezone}, XP per week ${analytics.weeks.map((week) => week.xp).join(' ')}`);
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
  log(`  curl -s -H "Authorization: Bearer $TOKEN" ${API_URL}/gamification/skills`);
  log(`  curl -s -H "Authorization: Bearer $TOKEN" "${API_URL}/gamification/analytics?days=90"`);
  if (claimable !== undefined) {
    log(`  curl -s -X POST -H "Authorization: Bearer $TOKEN" ${API_URL}/gamification/claim-challenge/${claimable.id}`);
  }
  log(`Tokens for other users: JWT_SECRET=${JWT_SECRET} npm run -s token -- <userId>`);
}

async function main(): Promise<number> {
  const interrupted = firstInterruption();
  const stack = new DemoStack();
  const demo = runDemo(stack);
  // An interruption wins the race below; whatever the abandoned steps then throw is moot.
  demo.catch(() => undefined);
  try {
    const first = await Promise.race([demo.then(() => 'report' as const), interrupted]);
    if (first !== 'report') {
      return 130;
    }
    if (process.env.DEMO_ONCE === '1') {
      return 0;
    }
    log('Press Ctrl-C to stop.');
    await interrupted;
    return 0;
  } catch (error) {
    stack.showLogs();
    throw error;
  } finally {
    printProgress('stopping the worker and the api, then Kafka...');
    await stack.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`demo failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
