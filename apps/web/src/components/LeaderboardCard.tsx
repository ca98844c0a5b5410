import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { errorMessage, gamificationApi } from '../api';
import type { Leaderboard, LeaderboardEntry, LeaderboardPeriod, LeaderboardSummary } from '../types';

interface Props {
  token: string;
  /** The signed-in user, whose row is highlighted. */
  userId: string;
  /** Changes when the dashboard reloads (Refresh, a claim): the board is read again. */
  refreshKey?: number;
}

/** A board's current period: its top 10 (TOP) and, when the user is not among them, the user and their neighbours. */
interface BoardPage {
  code: string;
  top: Leaderboard;
  neighbours: LeaderboardEntry[];
  neighboursError: string | null;
}

const TOP = 10;

function plural(count: number, word: string): string {
  return `${count.toLocaleString()} ${word}${count === 1 ? '' : 's'}`;
}

function periodText({ key, end, final }: LeaderboardPeriod): string {
  const parts = [key];
  if (end !== null) {
    const when = new Date(end).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
    parts.push(`${final ? 'ended' : 'ends'} ${when}`);
  }
  if (final) {
    parts.push('final');
  }
  return parts.join(' · ');
}

/**
 * The top 10 (TOP) of the board's current period; when the user has XP in it but is not among them, also
 * the user and up to 5 either side, read for the same period (the week may turn between the two
 * calls) and without the rows already shown.
 */
async function readBoard(token: string, code: string, userId: string): Promise<BoardPage> {
  const top = await gamificationApi.leaderboard(token, code, { limit: TOP });
  const shown = new Set(top.entries.map((entry) => entry.userId));
  if (top.me === null || (top.me.rank <= TOP && shown.has(userId))) {
    return { code, top, neighbours: [], neighboursError: null };
  }
  try {
    const around = await gamificationApi.leaderboard(token, code, { period: top.period.key, around: 'me' });
    return { code, top, neighbours: around.entries.filter((entry) => !shown.has(entry.userId)), neighboursError: null };
  } catch (failure) {
    return { code, top, neighbours: [], neighboursError: errorMessage(failure) };
  }
}

/** The board shown so far while the list still has it, else the week's board (the first one when there is none). */
function boardToShow(boards: LeaderboardSummary[], current: string | null): string | null {
  if (current !== null && boards.some((board) => board.code === current)) {
    return current;
  }
  return (boards.find((board) => board.period === 'week') ?? boards.at(0))?.code ?? null;
}

function Row({ entry, userId }: { entry: LeaderboardEntry; userId: string }) {
  const mine = entry.userId === userId;
  return (
    <tr className={mine ? 'leaderboard-row is-me' : 'leaderboard-row'} aria-current={mine ? 'true' : undefined} data-rank={entry.rank}>
      <td className="rank">{entry.rank.toLocaleString()}</td>
      <th scope="row" className="player" title={entry.userId}>
        {entry.userId}
        {mine && <span className="you"> (you)</span>}
      </th>
      <td className="xp">{entry.xp.toLocaleString()}</td>
    </tr>
  );
}

function BoardView({ page, userId }: { page: BoardPage; userId: string }) {
  const { top, neighbours, neighboursError } = page;
  if (top.participants === 0) {
    return (
      <>
        <p className="caption leaderboard-period">{periodText(top.period)}</p>
        <p className="caption">Nobody has XP on this board yet in this period.</p>
      </>
    );
  }
  return (
    <>
      <p className="caption leaderboard-period">
        {periodText(top.period)} · {plural(top.participants, 'player')}
      </p>
      <table className="leaderboard-table">
        <caption className="visually-hidden">
          {top.name}: the top {TOP}
          {neighbours.length > 0 && ', then your rank and your neighbours'}
        </caption>
        <thead>
          <tr>
            <th scope="col" className="rank">
              Rank
            </th>
            <th scope="col">Player</th>
            <th scope="col" className="xp">
              XP
            </th>
          </tr>
        </thead>
        <tbody aria-label={`Top ${TOP}`}>
          {top.entries.map((entry) => (
            <Row key={entry.userId} entry={entry} userId={userId} />
          ))}
        </tbody>
        {neighbours.length > 0 && (
          <tbody aria-label="Around you">
            <tr className="leaderboard-gap">
              <th scope="rowgroup" colSpan={3}>
                Around you
              </th>
            </tr>
            {neighbours.map((entry) => (
              <Row key={entry.userId} entry={entry} userId={userId} />
            ))}
          </tbody>
        )}
      </table>
      {neighboursError && (
        <p role="alert" className="error">
          {neighboursError}
        </p>
      )}
      {top.me === null ? (
        <p className="caption">You have no XP on this board yet in this period.</p>
      ) : (
        <p className="leaderboard-me">
          Your rank: <strong>{top.me.rank.toLocaleString()}</strong> of {top.participants.toLocaleString()} · {top.me.xp.toLocaleString()} XP
        </p>
      )}
    </>
  );
}

/**
 * The leaderboards: this week's by default, the others a tab away; the top 10 with the user's row
 * highlighted, and the user's rank with their neighbours when they are further down.
 */
export function LeaderboardCard({ token, userId, refreshKey = 0 }: Props) {
  const [boards, setBoards] = useState<LeaderboardSummary[] | null>(null);
  const [boardsError, setBoardsError] = useState<string | null>(null);
  const [code, setCode] = useState<string | null>(null);
  const [page, setPage] = useState<BoardPage | null>(null);
  const [pageError, setPageError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const tabs = useRef(new Map<string, HTMLButtonElement>());

  useEffect(() => {
    let stale = false;
    gamificationApi.leaderboards(token).then(
      (list) => {
        if (stale) {
          return;
        }
        setBoards(list);
        setBoardsError(null);
        setCode((current) => boardToShow(list, current));
      },
      (failure: unknown) => {
        if (!stale) {
          setBoardsError(errorMessage(failure));
        }
      },
    );
    return () => {
      stale = true;
    };
  }, [token, refreshKey]);

  useEffect(() => {
    if (code === null) {
      return;
    }
    let stale = false;
    setLoading(true);
    setPageError(null);
    readBoard(token, code, userId).then(
      (next) => {
        if (!stale) {
          setPage(next);
          setPageError(null);
          setLoading(false);
        }
      },
      (failure: unknown) => {
        if (!stale) {
          setPageError(errorMessage(failure));
          setLoading(false);
        }
      },
    );
    return () => {
      stale = true;
    };
  }, [token, userId, code, refreshKey]);

  // Arrow keys, Home and End move between the tabs and select the one they reach (WAI-ARIA tabs pattern).
  const onTabKey = (event: KeyboardEvent<HTMLDivElement>) => {
    if (boards === null || boards.length === 0 || code === null) {
      return;
    }
    const at = boards.findIndex((board) => board.code === code);
    const moves: Record<string, number> = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: boards.length - 1 };
    const to = moves[event.key];
    if (to === undefined) {
      return;
    }
    event.preventDefault();
    const next = boards[(to + boards.length) % boards.length];
    setCode(next.code);
    tabs.current.get(next.code)?.focus();
  };

  const selected = boards?.find((board) => board.code === code);

  return (
    <section className="card leaderboard" aria-labelledby="leaderboard-heading">
      <h2 id="leaderboard-heading">Leaderboard</h2>
      {boardsError ? (
        <p role="alert" className="error">
          {boardsError}
        </p>
      ) : boards === null ? (
        <p className="caption">Loading…</p>
      ) : selected === undefined ? (
        <p className="caption">No leaderboards on this server.</p>
      ) : (
        <>
          <div className="leaderboard-tabs" role="tablist" aria-label="Leaderboard period" onKeyDown={onTabKey}>
            {boards.map((board) => (
              <button
                key={board.code}
                ref={(element) => {
                  if (element === null) {
                    tabs.current.delete(board.code);
                  } else {
                    tabs.current.set(board.code, element);
                  }
                }}
                type="button"
                role="tab"
                id={`leaderboard-tab-${board.code}`}
                aria-selected={board.code === code}
                aria-controls="leaderboard-panel"
                tabIndex={board.code === code ? 0 : -1}
                onClick={() => setCode(board.code)}
                data-board={board.code}
              >
                {board.name}
              </button>
            ))}
          </div>
          <div
            className="leaderboard-panel"
            role="tabpanel"
            id="leaderboard-panel"
            aria-labelledby={`leaderboard-tab-${selected.code}`}
            aria-busy={loading}
            data-board={page?.code}
          >
            {pageError ? (
              <p role="alert" className="error">
                {pageError}
              </p>
            ) : page === null ? (
              <p className="caption">Loading…</p>
            ) : (
              <BoardView page={page} userId={userId} />
            )}
          </div>
        </>
      )}
    </section>
  );
}
