import type { Badge, BadgeCatalogEntry } from '../types';
import { LockIcon, MedalIcon } from './icons';

interface Props {
  catalog: BadgeCatalogEntry[];
  earned: Badge[];
}

/** Every badge of the rules: earned ones in colour with their date, the others greyed; a tooltip each. */
export function BadgeDisplay({ catalog, earned }: Props) {
  const earnedByCode = new Map(earned.map((badge) => [badge.code, badge]));
  return (
    <section className="card badges" aria-labelledby="badges-heading">
      <h2 id="badges-heading">
        Badges <span className="count">{earned.length} of {catalog.length}</span>
      </h2>
      <ul className="badge-grid">
        {catalog.map((badge) => {
          const mine = earnedByCode.get(badge.code);
          const tooltipId = `badge-tip-${badge.code}`;
          return (
            <li key={badge.code}>
              <button
                type="button"
                className={`badge ${mine ? 'earned' : 'locked'}`}
                aria-describedby={tooltipId}
                data-badge={badge.code}
              >
                {mine ? <MedalIcon /> : <LockIcon />}
                <span className="badge-name">{badge.name}</span>
                {mine && <span className="badge-date">{new Date(mine.earnedAt).toLocaleDateString()}</span>}
              </button>
              <span role="tooltip" id={tooltipId} className="tooltip">
                <strong>{badge.name}</strong> — {badge.description}. How to earn it: {badge.howToEarn}.
                {mine ? ` Earned ${new Date(mine.earnedAt).toLocaleDateString()}.` : ' Not earned yet.'}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
