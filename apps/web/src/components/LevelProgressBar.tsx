import type { Profile } from '../types';

type Props = Pick<Profile, 'level' | 'totalXp' | 'xpIntoLevel' | 'xpForNextLevel'>;

/** Level, XP into it and XP to the next, as an accessible progress bar. */
export function LevelProgressBar({ level, totalXp, xpIntoLevel, xpForNextLevel }: Props) {
  const atCap = xpForNextLevel === 0;
  const max = atCap ? Math.max(xpIntoLevel, 1) : xpForNextLevel;
  const percent = atCap ? 100 : Math.min(100, Math.round((xpIntoLevel / xpForNextLevel) * 100));
  const text = atCap ? `Level ${level}: highest level reached` : `${xpIntoLevel} of ${xpForNextLevel} XP to level ${level + 1}`;
  return (
    <section className="card level" aria-labelledby="level-heading">
      <h2 id="level-heading">Level {level}</h2>
      <p className="total-xp">{totalXp} XP</p>
      <div
        className="bar"
        role="progressbar"
        aria-label="Progress to the next level"
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={atCap ? max : xpIntoLevel}
        aria-valuetext={text}
      >
        <div className="fill" style={{ width: `${percent}%` }} />
      </div>
      <p className="caption">{text}</p>
    </section>
  );
}
