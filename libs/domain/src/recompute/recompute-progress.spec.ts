import fc from 'fast-check';
import { loadRulesFile } from '@app/config';
import { SessionCompletedDecider, type ChallengeDay, type CompletedSession, type UserProgress } from '../session-completed/session-completed.decider';
import { NO_SKILL_XP } from '../skills/skill-xp';
import { localDateOf } from '../time/local-date';
import { recomputeProgress, type ProcessedSession, type SessionFact } from './recompute-progress';

const rules = loadRulesFile('config/rules.yaml');
const decider = new SessionCompletedDecider(rules);
const now = new Date('2026-11-26T12:00:00Z');
const ZONES = ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Europe/Berlin', 'America/New_York', null] as const;
const fresh: UserProgress = { totalXp: 0, level: 1, sessionsCompleted: 0, bestScore: null, timezone: null, practiceDays: [], badges: new Set(), skillXp: NO_SKILL_XP };

function fact(overrides: Partial<SessionFact> & Pick<SessionFact, 'eventId' | 'localDate'>): SessionFact {
  return { kind: 'session', completedAt: now, zone: 'UTC', durationSeconds: 1800, score: 82, skills: [], ...overrides };
}

describe('recomputeProgress', () => {
  it('gives the same totals, days, badges, skill XP and zone as deciding the sessions one run after another, wherever the runs are cut', () => {
    const sessions = fc.array(
      fc.record({
        minutesAgo: fc.nat({ max: 30 * 1440 }),
        durationSeconds: fc.constantFrom(0, 59, 60, 600, 1800, 3600),
        score: fc.constantFrom(null, 0, 56, 80, 90, 100),
        zone: fc.constantFrom(...ZONES),
        // Children of one parent, a parent, a top-level skill and a code the tree does not know.
        skills: fc.subarray(['arrays', 'graphs', 'algorithms', 'databases', 'communication', 'not-in-the-tree'], { maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 60 },
    );
    fc.assert(
      fc.property(sessions, fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }), (generated, cutAfter) => {
        const all: CompletedSession[] = generated.map((session, index) => ({
          eventId: `e${index}`,
          userId: 'u',
          sessionId: `s${index}`,
          completedAt: new Date(now.getTime() - session.minutesAgo * 60_000),
          durationSeconds: session.durationSeconds,
          score: session.score,
          timezone: session.zone,
          skills: session.skills,
        }));
        let progress = fresh;
        let challengeDays = new Map<string, ChallengeDay>();
        let longestStreak = 0;
        let lastPracticeDate: string | null = null;
        const facts: ProcessedSession[] = [];
        let run: CompletedSession[] = [];
        const applyRun = () => {
          for (const { session, decision } of decider.decideAll(run, new Map([['u', progress]]), challengeDays, now)) {
            progress = decider.evolve(progress, decision);
            const zone = decision.outcome === 'counted' ? decision.totals.timezone : decision.timezone;
            facts.push({
              kind: 'session',
              eventId: session.eventId,
              completedAt: session.completedAt,
              zone,
              localDate: localDateOf(session.completedAt, zone),
              durationSeconds: session.durationSeconds,
              score: session.score,
              skills: session.skills,
            });
            if (decision.outcome === 'counted') {
              ({ longestStreak, lastPracticeDate } = decision.totals);
              if (decision.challengeDay !== null) {
                challengeDays = new Map(challengeDays).set(`u|${decision.challengeDay.date}`, decision.challengeDay);
              }
            }
          }
          run = [];
        };
        all.forEach((session, index) => {
          run.push(session);
          if (cutAfter[index]) {
            applyRun();
          }
        });
        applyRun();

        const folded = recomputeProgress(facts, [], { badges: new Set(), highestLevel: 1 }, rules);
        expect({
          totalXp: folded.totalXp,
          level: folded.level,
          sessionsCompleted: folded.sessionsCompleted,
          bestScore: folded.bestScore,
          practiceDays: folded.practiceDays,
          badges: folded.newlyEarned.map((badge) => badge.code).sort(),
          timezone: folded.timezone,
          longestStreak: folded.streak.longestStreak,
          lastPracticeDate: folded.streak.lastPracticeDate,
          skillXp: folded.skillXp,
        }).toEqual({
          totalXp: progress.totalXp,
          level: progress.level,
          sessionsCompleted: progress.sessionsCompleted,
          bestScore: progress.bestScore,
          practiceDays: [...progress.practiceDays].sort(),
          badges: [...progress.badges].sort(),
          timezone: progress.timezone,
          longestStreak,
          lastPracticeDate,
          skillXp: progress.skillXp,
        });
      }),
      { numRuns: 300, seed: 20261126 },
    );
  });

  it('recomputes XP under new rules, and may lower it, but keeps the badges and the level attained', () => {
    const harsher = { ...rules, xp: { ...rules.xp, base: 10 } };
    const sessions = [fact({ eventId: 'a', localDate: '2026-11-24' }), fact({ eventId: 'b', localDate: '2026-11-25', score: 95 })];

    const result = recomputeProgress(sessions, [], { badges: new Set(['FIRST_STEPS', 'ON_FIRE']), highestLevel: 3 }, harsher);

    // Each session: 10 base + floor(score / 10) * 5 + 3 * 10 for 30 minutes.
    expect(result.totalXp).toBe(10 + 40 + 30 + (10 + 45 + 30));
    expect(result.level).toBe(3);
    expect(result.levelChange).toBeNull();
    expect(result.newlyEarned.map((badge) => badge.code)).toEqual(['HIGH_SCORER']);
    expect(result.xpByEvent).toEqual(new Map([['a', 80], ['b', 85]]));
  });

  it('publishes a level newly reached by the recompute from the highest level reached before', () => {
    const generous = { ...rules, xp: { ...rules.xp, base: 500 } };

    const result = recomputeProgress([fact({ eventId: 'a', localDate: '2026-11-24', score: null })], [75], { badges: new Set(), highestLevel: 2 }, generous);

    expect(result.totalXp).toBe(500 + 30 + 75);
    expect(result.level).toBe(4);
    expect(result.levelChange).toEqual({ previousLevel: 2, newLevel: 4 });
  });

  it('counts a session that the new rules count although the old ones did not, on the day it was decided in', () => {
    const lenient = { ...rules, xp: { ...rules.xp, minimumDurationSeconds: 30 } };
    const short = fact({ eventId: 'short', localDate: '2026-11-25', zone: 'Asia/Tokyo', durationSeconds: 45, score: null });

    expect(recomputeProgress([short], [], { badges: new Set(), highestLevel: 1 }, rules)).toMatchObject({ totalXp: 0, practiceDays: [] });
    expect(recomputeProgress([short], [], { badges: new Set(), highestLevel: 1 }, lenient)).toMatchObject({
      totalXp: 50,
      sessionsCompleted: 1,
      practiceDays: ['2026-11-25'],
      timezone: 'Asia/Tokyo',
    });
  });

  it('keeps the recorded XP and practice day of a session processed before facts were kept', () => {
    const harsher = { ...rules, xp: { ...rules.xp, base: 10 } };
    const sessions: ProcessedSession[] = [
      { kind: 'legacy', eventId: 'old-counted', xpAwarded: 120, practiceDate: '2026-11-01' },
      { kind: 'legacy', eventId: 'old-short', xpAwarded: 0, practiceDate: null },
      fact({ eventId: 'new', localDate: '2026-11-02', score: null }),
    ];

    expect(recomputeProgress(sessions, [], { badges: new Set(), highestLevel: 1 }, harsher)).toMatchObject({
      totalXp: 120 + 0 + (10 + 30),
      sessionsCompleted: 2,
      practiceDays: ['2026-11-01', '2026-11-02'],
      streak: { currentStreak: 2, longestStreak: 2, lastPracticeDate: '2026-11-02' },
      timezone: 'UTC',
    });
  });
});
