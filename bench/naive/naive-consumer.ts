import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { SessionCompletedDecider, type GamificationRules } from '@app/domain';
import { badgeAwardedV1, levelUpV1, parseSessionCompleted } from '@app/messaging';
import {
  DailyChallengeEntity,
  OutboxMessageEntity,
  PracticeDayEntity,
  ProcessedEventEntity,
  UserBadgeEntity,
  UserProfileEntity,
} from '@app/persistence';

/**
 * The baseline: what most teams write first. One message at a time (eachMessage), one TypeORM
 * transaction per event with entity reads and save() calls, the same rules (the same decider).
 * It is correct for one consumer; it is here to be measured, not used.
 */
export async function runNaiveConsumer(options: {
  kafka: Kafka;
  topic: string;
  dataSource: DataSource;
  rules: GamificationRules;
  topics: { badgeAwarded: string; levelUp: string };
  expected: number;
}): Promise<number> {
  const { kafka, topic, dataSource, rules, topics, expected } = options;
  const decider = new SessionCompletedDecider(rules);
  const consumer = kafka.consumer({ groupId: `naive-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let handled = 0;
  let started = 0;
  const done = new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          started ||= Date.now();
          const parsed = parseSessionCompleted(message.value ?? null, new Date());
          if (parsed.ok) {
            const session = parsed.session;
            await dataSource.transaction(async (manager) => {
              const processed = manager.getRepository(ProcessedEventEntity);
              if ((await processed.findOneBy({ eventId: session.eventId })) !== null) {
                return;
              }
              const now = new Date();
              await processed.insert({ eventId: session.eventId, userId: session.userId, sessionId: session.sessionId, source: 'kafka', xpAwarded: 0, processedAt: now });
              const profiles = manager.getRepository(UserProfileEntity);
              let profile = await profiles.findOne({ where: { userId: session.userId }, lock: { mode: 'pessimistic_write' } });
              if (profile === null) {
                await profiles.insert({ userId: session.userId });
                profile = await profiles.findOneOrFail({ where: { userId: session.userId }, lock: { mode: 'pessimistic_write' } });
              }
              const days = await manager.getRepository(PracticeDayEntity).findBy({ userId: session.userId });
              const badges = await manager.getRepository(UserBadgeEntity).findBy({ userId: session.userId });
              const progress = {
                totalXp: profile.totalXp,
                level: profile.level,
                sessionsCompleted: profile.sessionsCompleted,
                bestScore: profile.bestScore,
                timezone: profile.timezone,
                practiceDays: days.map((day) => day.practiceDate),
                badges: new Set(badges.map((badge) => badge.badgeCode)),
                skillXp: profile.skillXp,
              };
              const date = decider.practiceDateOf(session, progress);
              const challengeRepository = manager.getRepository(DailyChallengeEntity);
              const existing = await challengeRepository.findBy({ userId: session.userId, challengeDate: date });
              const decision = decider.decide(
                session,
                progress,
                existing.length === 0
                  ? null
                  : {
                      expiresAt: existing[0].expiresAt,
                      challenges: existing.map((c) => ({ ...c, isClaimed: c.claimedAt !== null })),
                    },
                now,
              );
              if (decision.outcome === 'counted') {
                Object.assign(profile, {
                  totalXp: decision.totals.totalXp,
                  level: decision.totals.level,
                  sessionsCompleted: decision.totals.sessionsCompleted,
                  bestScore: decision.totals.bestScore,
                  currentStreak: decision.totals.currentStreak,
                  longestStreak: decision.totals.longestStreak,
                  lastPracticeDate: decision.totals.lastPracticeDate,
                  timezone: decision.totals.timezone,
                  skillXp: decision.totals.skillXp,
                  updatedAt: now,
                });
                await profiles.save(profile);
                await manager.getRepository(PracticeDayEntity).save({ userId: session.userId, practiceDate: decision.practiceDate });
                for (const badge of decision.badgesAwarded) {
                  await manager.getRepository(UserBadgeEntity).save({
                    userId: session.userId,
                    badgeCode: badge.code,
                    badgeName: badge.name,
                    badgeDescription: badge.description,
                    awardedAt: now,
                    sourceEventId: session.eventId,
                  });
                  const event = badgeAwardedV1(session.userId, badge, session.eventId, now);
                  await manager.getRepository(OutboxMessageEntity).insert({ eventId: event.eventId, topic: topics.badgeAwarded, messageKey: session.userId, payload: { ...event } });
                }
                if (decision.levelChange !== null) {
                  const event = levelUpV1(session.userId, decision.levelChange, decision.totals.totalXp, session.eventId, now);
                  await manager.getRepository(OutboxMessageEntity).insert({ eventId: event.eventId, topic: topics.levelUp, messageKey: session.userId, payload: { ...event } });
                }
                for (const challenge of decision.challengeDay?.challenges ?? []) {
                  const row = existing.find((c) => c.type === challenge.type);
                  await challengeRepository.save({
                    id: row?.id ?? randomUUID(),
                    userId: session.userId,
                    challengeDate: date,
                    type: challenge.type,
                    description: challenge.description,
                    target: challenge.target,
                    xpReward: challenge.xpReward,
                    minScore: challenge.minScore,
                    progress: challenge.progress,
                    completedAt: row?.completedAt ?? (challenge.progress >= challenge.target ? now : null),
                    expiresAt: decision.challengeDay!.expiresAt,
                  });
                }
              }
              await processed.update(
                { eventId: session.eventId },
                { outcome: decision.outcome, xpAwarded: decision.outcome === 'counted' ? decision.xpAwarded : 0 },
              );
            });
          }
          handled += 1;
          if (handled >= expected) {
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await done;
  const elapsed = Date.now() - started;
  await consumer.disconnect();
  return elapsed;
}
