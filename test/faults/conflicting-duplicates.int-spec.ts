import { randomUUID } from 'node:crypto';
import { eventually, type SessionCompletedMessage } from '@app/testing';
import { assertInvariants } from './support/invariants';
import { seededRandom, type SeededRandom } from './support/seeded-random';
import { WorkerFleet } from './support/worker-fleet';


const DAY_MS = 86_400_000;
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Pacific/Kiritimati'];

/** Contract section 4, written out here rather than taken from the engine: XP of one session. */
function contractXp(durationSeconds: number, score: number | null | undefined): number {
  if (durationSeconds < 60) {
    return 0;
  }
  const scoreXp = typeof score === 'number' ? Math.floor(score / 10) * 5 : 0;
  return 50 + scoreXp + Math.min(Math.floor(durationSeconds / 600), 3) * 10;
}

/** The calendar date of an instant in a zone, from the platform's Intl tables. */
function localDate(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

interface ConflictingStream {
  /** Every message in production order; each original comes before its copy. */
  readonly produced: SessionCompletedMessage[];
  /** The first copy of every eventId. */
  readonly originals: SessionCompletedMessage[];
  /** The retried copies: same eventId, userId and sessionId, another score, duration and day. */
  readonly copies: SessionCompletedMessage[];
  /** Users whose own sessions all score under 90, and whose counted copy scores 100. */
  readonly cleanUsers: string[];
  /** Where each copy went, by eventId: right after its original, a few messages later, or far later. */
  readonly placements: Map<string, 'adjacent' | 'near' | 'far'>;
}

/**
 * A producer that retries with a rebuilt payload. About 15% of the events are sent again with the
 * same eventId and userId (so the same key and partition) but a score, duration and local day of
 * their own, chosen so that applying the copy instead of the original changes the XP of that event:
 * a counted original's copy either becomes too short to count or earns 130 XP (3600 s, score 100,
 * which no original of a "clean" user reaches); an uncounted original's copy counts. A third of the
 * copies directly follow their original (one run), a third follow within 15 messages (mostly the
 * same run), a third come 400 or more messages later (another run, often another worker).
 */
function conflictingStream(prefix: string, random: SeededRandom, users: number, perUser: number): ConflictingStream {
  const now = Date.now();
  const total = users * perUser;
  const originals = Array.from({ length: total }, (_, index): SessionCompletedMessage => {
    const user = index % users;
    const clean = user % 2 === 0;
    const firstOfUser = index < users;
    const scored = firstOfUser || random.next() >= 0.125;
    const short = !firstOfUser && random.next() < 0.08;
    return {
      eventId: randomUUID(),
      userId: `${prefix}-${user}`,
      sessionId: `s-${index}`,
      completedAt: new Date(now - random.int(4, 20) * DAY_MS - random.int(0, DAY_MS - 1)).toISOString(),
      // A clean user's first session is counted and shorter than 30 minutes, so its copy is the one
      // with 3600 s and score 100: last-wins would add HIGH_SCORER and PERFECTIONIST.
      durationSeconds: short ? random.int(5, 59) : firstOfUser && clean ? random.int(60, 1799) : random.int(60, 3600),
      ...(scored ? { score: clean ? random.int(0, 89) : random.int(0, 100) } : {}),
      timezone: ZONES[user % ZONES.length],
    };
  });

  const copyOf = (original: SessionCompletedMessage): SessionCompletedMessage => {
    const counted = original.durationSeconds >= 60;
    const shiftDays = random.int(1, 3) * (random.next() < 0.5 ? -1 : 1);
    return {
      ...original,
      score: original.score === 100 ? 56 : 100,
      durationSeconds: counted ? (original.durationSeconds >= 1800 ? 30 : 3600) : 1800,
      // Originals are at least 4 days old, so the copy's day, 1 to 3 days away, is in the past too.
      completedAt: new Date(Date.parse(original.completedAt) + shiftDays * DAY_MS).toISOString(),
    };
  };

  // Position keys: original i at i; its copy right after it, a few messages later, or far later.
  const placed: Array<{ key: number; event: SessionCompletedMessage }> = originals.map((event, index) => ({ key: index, event }));
  const copies: SessionCompletedMessage[] = [];
  const placements = new Map<string, 'adjacent' | 'near' | 'far'>();
  originals.forEach((original, index) => {
    if (index >= users && random.next() >= 0.15) {
      return;
    }
    const copy = copyOf(original);
    copies.push(copy);
    const placement = random.int(0, 2);
    const key =
      placement === 0 ? index + 0.1 : placement === 1 ? index + random.int(2, 15) + 0.2 : Math.min(index + random.int(400, 1200), total) + 0.3;
    placed.push({ key, event: copy });
    placements.set(copy.eventId, (['adjacent', 'near', 'far'] as const)[placement]);
  });
  const produced = placed.sort((a, b) => a.key - b.key).map(({ event }) => event);
  const cleanUsers = Array.from({ length: users }, (_, user) => user)
    .filter((user) => user % 2 === 0)
    .map((user) => `${prefix}-${user}`);
  return { produced, originals, copies, cleanUsers, placements };
}

describe('scenario 10: conflicting duplicates while the worker is SIGKILLed mid-run', () => {
  let fleet: WorkerFleet;

  beforeAll(async () => {
    fleet = await WorkerFleet.create({ MAX_EVENTS_PER_TRANSACTION: '50' });
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('applies the first copy of every eventId, whatever the later copies carry and wherever the runs are cut', async () => {
    const random = seededRandom('conflicting-duplicates');
    const stream = conflictingStream(`conflict-${fleet.env.KAFKA_GROUP_ID.slice(-8)}`, random, 40, 40);
    const { produced, originals, copies } = stream;
    const firstIndex = new Map<string, number>();
    produced.forEach((event, index) => firstIndex.set(event.eventId, firstIndex.get(event.eventId) ?? index));
    // The inputs can tell first from last: every copy comes after its original, with another XP.
    expect(copies.every((copy) => produced.indexOf(copy) > firstIndex.get(copy.eventId)!)).toBe(true);
    const originalOf = new Map(originals.map((event) => [event.eventId, event]));
    expect(
      copies.filter((copy) => {
        const original = originalOf.get(copy.eventId)!;
        return contractXp(copy.durationSeconds, copy.score) === contractXp(original.durationSeconds, original.score);
      }),
    ).toEqual([]);

    await fleet.startWorker();
    const sending = fleet.stream(produced, 20, 40);
    // Kill while the worker is applying: runs that hold an original and its copy are cut and redelivered.
    const killedAt = await fleet.killMidRun(originals, 3, random);
    await sending;

    expect(killedAt).toHaveLength(3);
    expect(killedAt.filter((count) => count >= originals.length)).toEqual([]);
    await eventually(
      'every eventId to be processed',
      async () => ((await fleet.processedCount(originals)) === originals.length ? true : undefined),
      120_000,
    );

    // Each duplicated eventId's ledger row holds what its first copy decided.
    const ledger: Array<{ event_id: string; outcome: string; xp_awarded: number; practice_date: string | null }> = await fleet.dataSource.query(
      `SELECT event_id, outcome, xp_awarded, practice_date::text AS practice_date FROM processed_events WHERE event_id = ANY($1) ORDER BY event_id`,
      [copies.map((copy) => copy.eventId)],
    );
    const expectedLedger = copies
      .map((copy) => originalOf.get(copy.eventId)!)
      .map((original) => {
        const counted = original.durationSeconds >= 60;
        return {
          event_id: original.eventId,
          outcome: counted ? 'counted' : 'not-counted',
          xp_awarded: contractXp(original.durationSeconds, original.score),
          practice_date: counted ? localDate(original.completedAt, original.timezone!) : null,
        };
      })
      .sort((a, b) => (a.event_id < b.event_id ? -1 : 1));
    // First the copies that won, with where they were placed and their positions, to say which batching went wrong.
    const expectedXp = new Map(expectedLedger.map((row) => [row.event_id, row.xp_awarded]));
    expect(
      ledger
        .filter((row) => row.xp_awarded !== expectedXp.get(row.event_id))
        .map((row) => ({
          eventId: row.event_id,
          userId: originalOf.get(row.event_id)!.userId,
          placement: stream.placements.get(row.event_id),
          positions: produced.flatMap((event, index) => (event.eventId === row.event_id ? [index] : [])),
          xpAwarded: row.xp_awarded,
          firstCopyXp: expectedXp.get(row.event_id),
        })),
    ).toEqual([]);
    expect(ledger).toEqual(expectedLedger);
    await assertInvariants({ ...fleet.invariantInputs(), produced });

    // Every clean user scored under 90 in every first copy; last-wins would have given them both.
    const scoreBadges: Array<{ user_id: string; badge_code: string }> = await fleet.dataSource.query(
      `SELECT user_id, badge_code FROM user_badges WHERE user_id = ANY($1) AND badge_code IN ('HIGH_SCORER', 'PERFECTIONIST')`,
      [stream.cleanUsers],
    );
    expect(scoreBadges).toEqual([]);
  });
});
