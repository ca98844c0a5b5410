import { Kafka, logLevel } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { eventually, referenceUser, type SessionCompletedMessage, type TopicRecorder } from '@app/testing';

export interface InvariantInputs {
  readonly dataSource: DataSource;
  readonly recorder: TopicRecorder;
  readonly brokers: readonly string[];
  readonly topics: { sessionCompleted: string; badgeAwarded: string; levelUp: string; sessionCompletedDlq: string };
  readonly groupIds: readonly string[];
  /** Everything valid that was produced, duplicates included. */
  readonly produced: readonly SessionCompletedMessage[];
  /** The raw values (as latin1 strings, byte for byte) of the invalid messages produced. */
  readonly rejected?: readonly string[];
}

/**
 * The invariants of issue 5, checked from the database and the topics once the stream has drained;
 * every user's totals against the fold written from the contract (first occurrence of each eventId).
 */
export async function assertInvariants(inputs: InvariantInputs): Promise<void> {
  const { dataSource, recorder } = inputs;
  const unique = new Map<string, SessionCompletedMessage>();
  for (const event of inputs.produced) {
    if (!unique.has(event.eventId)) {
      unique.set(event.eventId, event);
    }
  }
  const byUser = new Map<string, SessionCompletedMessage[]>();
  for (const event of unique.values()) {
    byUser.set(event.userId, [...(byUser.get(event.userId) ?? []), event]);
  }
  const users = [...byUser.keys()];

  await eventually(
    `all ${unique.size} unique events to be processed`,
    async () => {
      const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM processed_events WHERE event_id = ANY($1)`, [
        [...unique.keys()],
      ]);
      return count === unique.size ? true : undefined;
    },
    120_000,
  );

  const profiles: Array<Record<string, unknown>> = await dataSource.query(
    `SELECT user_id, total_xp, level, sessions_completed, current_streak, longest_streak, last_practice_date,
            coalesce((SELECT array_agg(badge_code ORDER BY badge_code) FROM user_badges b WHERE b.user_id = p.user_id), '{}') AS badges
     FROM user_profiles p WHERE user_id = ANY($1)`,
    [users],
  );
  const actual = new Map(
    profiles.map((row) => [
      row.user_id as string,
      {
        totalXp: row.total_xp,
        level: row.level,
        sessionsCompleted: row.sessions_completed,
        currentStreak: row.current_streak,
        longestStreak: row.longest_streak,
        lastPracticeDate: row.last_practice_date,
        badges: row.badges,
      },
    ]),
  );
  for (const [userId, events] of byUser) {
    const expected = referenceUser(events, new Date());
    expect({ userId, ...actual.get(userId) }).toEqual({
      userId,
      totalXp: expected.totalXp,
      level: expected.level,
      sessionsCompleted: expected.sessionsCompleted,
      currentStreak: expected.streakAtLastPractice,
      longestStreak: expected.longestStreak,
      lastPracticeDate: expected.lastPracticeDate,
      badges: expected.badges,
    });
  }

  const outbox: Array<{ event_id: string; topic: string; message_key: string }> = await eventually(
    'every award decided to be published',
    async () => {
      // The awards only: the streak sweep also queues notices keyed by these users (streak.at_risk
      // after 20:00 UTC for whoever has not practised today), on topics of their own.
      const rows = await dataSource.query(
        `SELECT event_id, topic, message_key, sent_at FROM outbox_messages WHERE message_key = ANY($1) AND topic = ANY($2)`,
        [users, [inputs.topics.badgeAwarded, inputs.topics.levelUp]],
      );
      return rows.every((row: { sent_at: Date | null }) => row.sent_at !== null) ? rows : undefined;
    },
    60_000,
  );
  await eventually(
    'every published award to reach its topic',
    async () => {
      const seen = new Set(
        [...recorder.received(inputs.topics.badgeAwarded), ...recorder.received(inputs.topics.levelUp)].map(
          (message) => message.headers['event-id'],
        ),
      );
      return outbox.every((row) => seen.has(row.event_id)) ? true : undefined;
    },
    60_000,
  );
  for (const message of [...recorder.received(inputs.topics.badgeAwarded), ...recorder.received(inputs.topics.levelUp)]) {
    const award = JSON.parse(message.value?.toString() ?? '{}') as { eventId: string };
    expect(message.headers['event-id']).toBe(award.eventId);
  }

  for (const value of inputs.rejected ?? []) {
    await eventually(
      'every invalid message on the DLQ',
      async () =>
        recorder.received(inputs.topics.sessionCompletedDlq).some((message) => message.value?.toString('latin1') === value)
          ? true
          : undefined,
      30_000,
    );
  }

  const kafka = new Kafka({ brokers: [...inputs.brokers], clientId: 'invariants', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(inputs.topics.sessionCompleted);
    for (const groupId of inputs.groupIds) {
      await eventually(
        `group ${groupId} to commit every offset up to the end of the topic`,
        async () => {
          const [committed] = await admin.fetchOffsets({ groupId, topics: [inputs.topics.sessionCompleted] });
          const behind = ends.filter((end) => {
            const offset = committed.partitions.find((partition) => partition.partition === end.partition)?.offset ?? '-1';
            return Number(end.high) > 0 && Number(offset) < Number(end.high);
          });
          return behind.length === 0 ? true : undefined;
        },
        60_000,
      );
    }
  } finally {
    await admin.disconnect();
  }
}
