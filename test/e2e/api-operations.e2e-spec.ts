import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from '@app/dev-stack';
import { aSessionCompleted, aUserId, aZoneAtMidday, eventually } from '@app/testing';
import { ApiProcess, TEST_SERVICE_KEY, tokenFor } from '../support/api-harness';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LIMIT = 3;
// What "answers quickly" means here: well above the api's Redis command timeout (500 ms), far below
// anything a client would take for a hang.
const QUICK_MS = 1500;

/** A private redis-server on its own port, for this file alone: the machine's Redis is never touched. */
class PrivateRedis {
  private child: ChildProcess | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server, unless it runs already. */
  async start(): Promise<void> {
    if (this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null) {
      return;
    }
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    this.child = child;
    await eventually(`redis-server on port ${this.port} to answer PING`, () => this.pong(child));
  }

  /** Sends the signal; SIGKILL waits until the server is gone, so that its port is free again. */
  async signal(signal: 'SIGKILL' | 'SIGSTOP' | 'SIGCONT'): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = signal === 'SIGKILL' ? new Promise((resolve) => child.once('exit', resolve)) : Promise.resolve();
    child.kill(signal);
    await exited;
  }

  private pong(child: ChildProcess): Promise<true | undefined> {
    if (child.exitCode !== null) {
      throw new Error(`redis-server on port ${this.port} exited with ${child.exitCode}`);
    }
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG') ? true : undefined);
      });
      socket.once('error', () => resolve(undefined));
    });
  }
}

/** One parsed JSON line of the api's log. */
type LogLine = Record<string, unknown> & { level: number; msg?: string; requestId?: string; req?: { id?: string } };

/** pino-http binds the request to every line logged while handling it: its id is `req.id` (or `requestId` with a quiet request logger). */
const requestIdOf = (line: LogLine) => line.requestId ?? line.req?.id;

describe('the built api, run as a process', () => {
  let redis: PrivateRedis;
  let api: ApiProcess;

  const logLines = (): LogLine[] => api.logLines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogLine);
  const linesOf = (requestId: string) => logLines().filter((line) => requestIdOf(line) === requestId);
  const authorized = (userId: string, headers: Record<string, string> = {}) => ({ Authorization: `Bearer ${tokenFor(userId)}`, ...headers });
  const syncing = (userId: string, headers: Record<string, string> = {}) => ({ method: 'POST', headers: authorized(userId, headers) });
  const sync = (userId: string) => api.fetch('/gamification/sync-progress', syncing(userId));

  /** The response and how long it took; a call that hangs fails the test in seconds, not at Jest's timeout. */
  async function timed(path: string, init: RequestInit = {}): Promise<{ response: Response; ms: number }> {
    const started = performance.now();
    const response = await api.fetch(path, { ...init, signal: AbortSignal.timeout(5_000) });
    return { response, ms: performance.now() - started };
  }

  async function unavailableCount(): Promise<number> {
    const metrics = await (await api.fetch('/metrics')).text();
    const match = /^rate_limit_unavailable_total (\d+)$/m.exec(metrics);
    if (match === null) {
      throw new Error(`rate_limit_unavailable_total is not in /metrics:\n${metrics}`);
    }
    return Number(match[1]);
  }

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    api = await ApiProcess.start({
      REDIS_URL: redis.url,
      RATE_LIMIT_WRITES_PER_MINUTE: String(LIMIT),
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'log',
      LOG_REQUESTS: 'true',
    });
  });

  afterAll(async () => {
    await api?.stop();
    await redis?.signal('SIGKILL');
  });

  describe('request ids', () => {
    it('echoes a sane x-request-id and puts it on the request’s log lines', async () => {
      const sent = `req-${aUserId()}.1:a_b`;
      const response = await api.fetch('/gamification/profile', { headers: authorized(aUserId(), { 'x-request-id': sent }) });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toBe(sent);
      const lines = await eventually('the request’s log line', async () => (linesOf(sent).length > 0 ? linesOf(sent) : undefined));
      expect(lines).toEqual([expect.objectContaining({ service: 'api', msg: 'request completed' })]);
    });

    it('echoes it on an error too', async () => {
      const sent = `req-${aUserId()}`;
      const response = await api.fetch('/gamification/profile', { headers: { 'x-request-id': sent } });
      expect(response.status).toBe(401);
      expect(response.headers.get('x-request-id')).toBe(sent);
    });

    it('makes a new UUID for each request that sends none', async () => {
      const first = (await api.fetch('/health')).headers.get('x-request-id');
      const second = (await api.fetch('/health')).headers.get('x-request-id');
      expect(first).toMatch(UUID);
      expect(second).toMatch(UUID);
      expect(second).not.toBe(first);
    });

    it.each([
      ['with spaces and markup', 'id with <script>'],
      ['longer than 128 characters', 'a'.repeat(129)],
      ['with quotes and braces', 'abc","level":60,"x":"'],
    ])('replaces an id %s with a new UUID, which its log line carries', async (_label, sent) => {
      const response = await api.fetch('/health', { headers: { 'x-request-id': sent } });
      const echoed = response.headers.get('x-request-id') ?? '';
      expect(echoed).toMatch(UUID);
      await eventually('the request’s log line', async () => (linesOf(echoed).length === 1 ? true : undefined));
      expect(linesOf(sent)).toEqual([]);
    });
  });

  it('never writes the authorization header, a token or the service key to its log', async () => {
    const userToken = tokenFor(aUserId());
    const userRequest = `auth-${aUserId()}`;
    const serviceRequest = `auth-${aUserId()}`;
    await api.fetch('/gamification/profile', { headers: { Authorization: `Bearer ${userToken}`, 'x-request-id': userRequest } });
    await api.fetch('/gamification/sync-progress', {
      method: 'POST',
      headers: { Authorization: `Bearer ${TEST_SERVICE_KEY}`, 'x-request-id': serviceRequest, 'Content-Type': 'application/json' },
      body: JSON.stringify({ not: 'a session' }),
    });
    const logged = await eventually('both requests’ log lines', async () => {
      const lines = [...linesOf(userRequest), ...linesOf(serviceRequest)];
      return lines.length === 2 ? lines : undefined;
    });
    // The request's headers are logged (so the redaction is what keeps the credential out), censored.
    for (const line of logged) {
      expect(line).toMatchObject({ req: { headers: { authorization: '[redacted]' } } });
    }
    const signature = userToken.split('.')[2];
    expect(api.output).not.toContain(signature);
    expect(api.output).not.toContain(TEST_SERVICE_KEY);
  });

  describe('when Redis goes away', () => {
    beforeEach(() => redis.start());

    it('says so in readiness, lets writes through unlimited (logged and counted), and limits them again once Redis is back', async () => {
      const limited = aUserId('limited');
      for (let call = 0; call < LIMIT; call += 1) {
        expect((await sync(limited)).status).toBe(200);
      }
      expect((await sync(limited)).status).toBe(429);
      const countedBefore = await unavailableCount();

      await redis.signal('SIGKILL');

      const ready = await timed('/health/ready');
      expect(ready.ms).toBeLessThan(QUICK_MS);
      expect(ready.response.status).toBe(503);
      const body = (await ready.response.json()) as { message: string };
      expect(body).toEqual({ statusCode: 503, code: 'NOT_READY', message: expect.any(String) });
      expect(body.message).toMatch(/database up/);
      expect(body.message).toMatch(/redis down/);

      // The writes, fail open: the limited user writes again, and twice the limit goes through.
      const writes: { response: Response; ms: number }[] = [];
      const writeRequest = `outage-${aUserId()}`;
      writes.push(await timed('/gamification/sync-progress', syncing(limited, { 'x-request-id': writeRequest })));
      for (let call = 0; call < 2 * LIMIT; call += 1) {
        writes.push(await timed('/gamification/sync-progress', syncing(limited)));
      }
      const player = aUserId('player');
      const session = aSessionCompleted({ userId: player, timezone: aZoneAtMidday(), durationSeconds: 600, score: 85 });
      writes.push(
        await timed('/gamification/sync-progress', {
          method: 'POST',
          headers: { Authorization: `Bearer ${TEST_SERVICE_KEY}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(session),
        }),
      );
      const profile = await api.fetch('/gamification/profile', { headers: authorized(player) });
      expect(profile.status).toBe(200);
      const { challenges } = (await profile.json()) as { challenges: { id: string; type: string; isCompleted: boolean }[] };
      const scored = challenges.find((challenge) => challenge.type === 'SCORE_AT_LEAST');
      expect(scored?.isCompleted).toBe(true);
      const claim = await timed(`/gamification/claim-challenge/${scored?.id}`, { method: 'POST', headers: authorized(player) });
      writes.push(claim);
      expect(await claim.response.json()).toMatchObject({ xpAwarded: 75, challenge: { isClaimed: true } });

      expect(writes.map(({ response }) => response.status)).toEqual(writes.map(() => 200));
      expect(Math.max(...writes.map(({ ms }) => ms))).toBeLessThan(QUICK_MS);
      expect(await unavailableCount()).toBe(countedBefore + writes.length);
      expect(linesOf(writeRequest)).toEqual(
        expect.arrayContaining([expect.objectContaining({ level: 40, msg: expect.stringMatching(/^rate limiting skipped, Redis unavailable/) })]),
      );

      // Nothing else answers 5xx for want of Redis.
      for (const path of ['/health', '/metrics', '/docs-json', '/gamification/badges', '/']) {
        const response = await api.fetch(path, { headers: authorized(player) });
        expect({ path, status: response.status }).toEqual({ path, status: 200 });
      }

      await redis.start();
      await eventually('readiness once Redis is back', async () => ((await api.fetch('/health/ready')).status === 200 ? true : undefined));
      const afterwards = aUserId('afterwards');
      for (let call = 0; call < LIMIT; call += 1) {
        expect((await sync(afterwards)).status).toBe(200);
      }
      expect((await sync(afterwards)).status).toBe(429);
      expect(await unavailableCount()).toBe(countedBefore + writes.length);
    });

    it('answers quickly while Redis hangs without answering, and recovers when it answers again', async () => {
      await redis.signal('SIGSTOP');
      try {
        const ready = await timed('/health/ready');
        expect(ready.response.status).toBe(503);
        expect(ready.ms).toBeLessThan(QUICK_MS);
        const write = await timed('/gamification/sync-progress', syncing(aUserId('hung')));
        expect(write.response.status).toBe(200);
        expect(write.ms).toBeLessThan(QUICK_MS);
      } finally {
        await redis.signal('SIGCONT');
      }
      await eventually('readiness once Redis answers again', async () => ((await api.fetch('/health/ready')).status === 200 ? true : undefined));
      const user = aUserId('resumed');
      for (let call = 0; call < LIMIT; call += 1) {
        expect((await sync(user)).status).toBe(200);
      }
      expect((await sync(user)).status).toBe(429);
    });
  });
});
