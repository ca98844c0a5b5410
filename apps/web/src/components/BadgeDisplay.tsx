import { useState } from 'react';
import { errorMessage, gamificationApi } from '../api';
import type { Badge, BadgeCatalogEntry } from '../types';
import { LockIcon, MedalIcon } from './icons';

interface Props {
  catalog: BadgeCatalogEntry[];
  earned: Badge[];
  token: string;
}

/** Saves the signed credential as <code>.jwt, the file Open Badges 3.0 wallets and verifiers read. */
async function downloadCredential(token: string, code: string): Promise<void> {
  const jwt = await gamificationApi.badgeCredential(token, code);
  const url = URL.createObjectURL(new Blob([jwt], { type: 'application/vc+jwt' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `${code}.jwt`;
  // In the document, and the URL kept a moment: some browsers start the download only then.
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/**
 * Every badge of the rules: earned ones in colour with their date and a download of their Open
 * Badges credential, the others greyed; a tooltip each.
 */
export function BadgeDisplay({ catalog, earned, token }: Props) {
  const earnedByCode = new Map(earned.map((badge) => [badge.code, badge]));
  const [failed, setFailed] = useState<string | null>(null);
  const download = (badge: BadgeCatalogEntry) => {
    setFailed(null);
    downloadCredential(token, badge.code).catch((error: unknown) => setFailed(`${badge.name}: the credential could not be downloaded. ${errorMessage(error)}`));
  };
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
              {mine && (
                <button type="button" className="link-button credential" aria-label={`Download credential for ${badge.name}`} onClick={() => download(badge)}>
                  Download credential
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {failed !== null && (
        <p role="alert" className="error">
          {failed}
        </p>
      )}
    </section>
  );
}
