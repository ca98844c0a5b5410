import { loadRulesFile } from '@app/config';
import { advanceChallenge, isChallengeCompleted, newDailyChallenges, type ChallengeState } from './daily-challenges';

const templates = loadRulesFile('config/rules.yaml').challenges;
const byType = (challenges: ChallengeState[], type: string) => challenges.find((challenge) => challenge.type === type)!;
const afterSessions = (...sessions: Array<{ durationSeconds: number; score: number | null }>) =>
  sessions.reduce(
    (challenges, session) => challenges.map((challenge) => advanceChallenge(challenge, session)),
    newDailyChallenges(templates),
  );

describe('daily challenges with the shipped rules', () => {
  it('creates one challenge per template with nothing done', () => {
    const challenges = newDailyChallenges(templates);
    expect(challenges.map((challenge) => [challenge.type, challenge.target, challenge.xpReward, challenge.progress])).toEqual([
      ['COMPLETE_SESSIONS', 2, 100, 0],
      ['SCORE_AT_LEAST', 1, 75, 0],
      ['PRACTICE_MINUTES', 1800, 50, 0],
    ]);
  });

  it('completes COMPLETE_SESSIONS after two sessions', () => {
    const one = afterSessions({ durationSeconds: 300, score: null });
    expect(byType(one, 'COMPLETE_SESSIONS').progress).toBe(1);
    expect(isChallengeCompleted(byType(one, 'COMPLETE_SESSIONS'))).toBe(false);
    const two = afterSessions({ durationSeconds: 300, score: null }, { durationSeconds: 300, score: null });
    expect(isChallengeCompleted(byType(two, 'COMPLETE_SESSIONS'))).toBe(true);
  });

  it('counts only sessions scoring at least 80 for SCORE_AT_LEAST', () => {
    expect(byType(afterSessions({ durationSeconds: 300, score: 79.5 }), 'SCORE_AT_LEAST').progress).toBe(0);
    expect(byType(afterSessions({ durationSeconds: 300, score: null }), 'SCORE_AT_LEAST').progress).toBe(0);
    expect(isChallengeCompleted(byType(afterSessions({ durationSeconds: 300, score: 80 }), 'SCORE_AT_LEAST'))).toBe(true);
  });

  it('adds up practice seconds for PRACTICE_MINUTES and caps progress at the target', () => {
    const partial = byType(afterSessions({ durationSeconds: 1000, score: null }), 'PRACTICE_MINUTES');
    expect(partial.progress).toBe(1000);
    const done = byType(afterSessions({ durationSeconds: 1000, score: null }, { durationSeconds: 1000, score: null }), 'PRACTICE_MINUTES');
    expect(done.progress).toBe(1800);
    expect(isChallengeCompleted(done)).toBe(true);
  });

  it('leaves a claimed challenge as it is', () => {
    const claimed: ChallengeState = { ...newDailyChallenges(templates)[0], progress: 1, isClaimed: true };
    expect(advanceChallenge(claimed, { durationSeconds: 600, score: 90 })).toBe(claimed);
  });
});
