import type { Challenge } from '../types';

interface Props {
  challenges: Challenge[];
  onClaim: (challenge: Challenge) => void;
  claiming: string | null;
  errors: Record<string, string>;
}

function progressText(challenge: Challenge): string {
  return challenge.type === 'PRACTICE_MINUTES'
    ? `${Math.floor(challenge.progress / 60)} of ${Math.floor(challenge.target / 60)} minutes`
    : `${challenge.progress} of ${challenge.target}`;
}

/** Today's challenges with their progress, and a Claim button on the completed ones. */
export function ChallengeList({ challenges, onClaim, claiming, errors }: Props) {
  return (
    <section className="card challenges" aria-labelledby="challenges-heading">
      <h2 id="challenges-heading">Today’s challenges</h2>
      <ul>
        {challenges.map((challenge) => (
          <li key={challenge.id} className="challenge" data-challenge={challenge.type}>
            <div className="challenge-head">
              <span>{challenge.description}</span>
              <span className="reward">+{challenge.xpReward} XP</span>
            </div>
            <div
              className="bar small"
              role="progressbar"
              aria-label={challenge.description}
              aria-valuemin={0}
              aria-valuemax={challenge.target}
              aria-valuenow={Math.min(challenge.progress, challenge.target)}
              aria-valuetext={progressText(challenge)}
            >
              <div className="fill" style={{ width: `${Math.min(100, (challenge.progress / challenge.target) * 100)}%` }} />
            </div>
            <div className="challenge-foot">
              <span className="caption">{progressText(challenge)}</span>
              {challenge.isClaimed ? (
                <span className="claimed">Claimed ✓</span>
              ) : challenge.isCompleted ? (
                <button type="button" onClick={() => onClaim(challenge)} disabled={claiming === challenge.id}>
                  {claiming === challenge.id ? 'Claiming…' : `Claim ${challenge.xpReward} XP`}
                </button>
              ) : null}
            </div>
            {errors[challenge.id] && (
              <p role="alert" className="error">
                {errors[challenge.id]}
              </p>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
