import type { Profile } from '../types';
import { FlameIcon } from './icons';

type Props = Pick<Profile, 'currentStreak' | 'longestStreak' | 'practicedToday'>;

/** The current streak with a flame, the longest, and whether today (in the user's zone) is done. */
export function StreakWidget({ currentStreak, longestStreak, practicedToday }: Props) {
  return (
    <section className="card streak" aria-labelledby="streak-heading">
      <h2 id="streak-heading">Streak</h2>
      <p className="streak-current">
        <FlameIcon lit={currentStreak > 0} />{' '}
        <span data-testid="current-streak">{currentStreak}</span> day{currentStreak === 1 ? '' : 's'}
      </p>
      <p className="caption">Longest: {longestStreak} day{longestStreak === 1 ? '' : 's'}</p>
      <p className={practicedToday ? 'today done' : 'today'}>{practicedToday ? 'Practised today ✓' : 'Not practised yet today'}</p>
    </section>
  );
}
