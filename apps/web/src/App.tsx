import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, errorMessage, gamificationApi } from './api';
import { hostTokenSource } from './host-token';
import { BadgeDisplay } from './components/BadgeDisplay';
import { Celebrations, celebrationOf } from './components/Celebrations';
import { ChallengeList } from './components/ChallengeList';
import { LeaderboardCard } from './components/LeaderboardCard';
import { LevelProgressBar } from './components/LevelProgressBar';
import { PracticeWidgets } from './components/PracticeWidgets';
import { SignIn } from './components/SignIn';
import { SkillTreeWidget } from './components/SkillTreeWidget';
import { StreakWidget } from './components/StreakWidget';
import { followLiveEvents, type LiveEvent } from './live/live-events';
import type { BadgeCatalogEntry, Challenge, Profile } from './types';

const TOKEN_KEY = 'locker-room-token';

/** Celebrations shown at once, at most: a burst of events (a level and two badges) shows its latest. */
const MAX_CELEBRATIONS = 3;

/**
 * The Locker Room: level, XP, streak, today's challenges, the practice calendar and trend, the skills,
 * the leaderboards and the badges of the signed-in user, kept current by the live stream: each event
 * is celebrated and read again with the profile, and so is the profile after every (re)connection.
 * The user's token comes from the host page when it hands one over (host-token.ts), and from the
 * development sign-in otherwise.
 */
export function App() {
  const [fromHost] = useState(() => hostTokenSource());
  const [token, setToken] = useState<string | null>(() => (fromHost === null ? sessionStorage.getItem(TOKEN_KEY) : null));
  const [profile, setProfile] = useState<Profile | null>(null);
  const [catalog, setCatalog] = useState<BadgeCatalogEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [claiming, setClaiming] = useState<string | null>(null);
  const [claimErrors, setClaimErrors] = useState<Record<string, string>>({});
  const [devSignIn, setDevSignIn] = useState(false);
  const [celebrations, setCelebrations] = useState<LiveEvent[]>([]);
  const [live, setLive] = useState(false);
  // Counts the dashboard's loads, so that the leaderboard is read again with the profile.
  const [loads, setLoads] = useState(0);

  useEffect(() => {
    if (fromHost === null) {
      void gamificationApi.devSignInAvailable().then(setDevSignIn);
    } else {
      fromHost().then(setToken, (failure: unknown) => setError(errorMessage(failure)));
    }
  }, [fromHost]);

  // Live events start loads one after another: only the latest one started may show its answer, so
  // that an older answer arriving last cannot put back what a newer one replaced.
  const latestLoad = useRef(0);
  const signOut = useCallback(() => {
    // A load still on its way belongs to the user signing out: its answer is not shown.
    latestLoad.current += 1;
    sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
    setProfile(null);
    setCelebrations([]);
  }, []);

  // The api refused the token (it expired): the host page is asked once for a renewed one. A token
  // refused again before any load succeeded with it (or one given back unchanged) would be refused
  // for good, so the user is signed out then, instead of asking the page in a loop.
  const renewals = useRef(0);
  const renewing = useRef(false);
  // A refusal of a token already replaced (a stream opened with it ending late) changes nothing.
  const currentToken = useRef(token);
  useEffect(() => {
    currentToken.current = token;
  }, [token]);
  const tokenRefused = useCallback(
    (refused: string) => {
      if (fromHost === null) {
        signOut();
        return;
      }
      if (renewing.current || refused !== currentToken.current) {
        return;
      }
      if (renewals.current > 0) {
        signOut();
        return;
      }
      renewals.current += 1;
      renewing.current = true;
      fromHost()
        .then(
          (renewed) => {
            if (renewed === refused) {
              signOut();
              return;
            }
            // At once, not after the render: a refusal of the old token arriving meanwhile is ignored.
            currentToken.current = renewed;
            setToken(renewed);
          },
          (failure: unknown) => {
            signOut();
            setError(errorMessage(failure));
          },
        )
        .finally(() => (renewing.current = false));
    },
    [fromHost, signOut],
  );

  const load = useCallback(async () => {
    if (token === null) {
      return;
    }
    const started = ++latestLoad.current;
    try {
      const [nextProfile, nextCatalog] = await Promise.all([gamificationApi.profile(token), gamificationApi.badges(token)]);
      if (started !== latestLoad.current) {
        return;
      }
      renewals.current = 0;
      setProfile(nextProfile);
      setCatalog(nextCatalog);
      setLoads((count) => count + 1);
      setError(null);
    } catch (failure) {
      if (started !== latestLoad.current) {
        return;
      }
      setError(errorMessage(failure));
      if (failure instanceof ApiError && failure.status === 401) {
        tokenRefused(token);
      }
    }
  }, [token, tokenRefused]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    if (token === null) {
      return;
    }
    const stop = followLiveEvents(token, {
      // What was published while no stream was open is in the profile: read it again.
      onOpen: () => {
        setLive(true);
        void load();
      },
      onClose: () => setLive(false),
      onEvent: (event) => {
        if (celebrationOf(event) !== null) {
          setCelebrations((shown) => [...shown.filter((other) => other.eventId !== event.eventId), event].slice(-MAX_CELEBRATIONS));
        }
        void load();
      },
      onUnauthorized: () => tokenRefused(token),
    });
    return () => {
      stop();
      setLive(false);
    };
  }, [token, load, tokenRefused]);

  const dismiss = useCallback((eventId: string) => setCelebrations((shown) => shown.filter((event) => event.eventId !== eventId)), []);

  const signIn = async (userId: string) => {
    try {
      const minted = await gamificationApi.devToken(userId);
      sessionStorage.setItem(TOKEN_KEY, minted);
      setToken(minted);
      setError(null);
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };

  const claim = async (challenge: Challenge) => {
    if (token === null) {
      return;
    }
    setClaiming(challenge.id);
    try {
      await gamificationApi.claim(token, challenge.id);
      setClaimErrors((errors) => ({ ...errors, [challenge.id]: '' }));
    } catch (failure) {
      setClaimErrors((errors) => ({ ...errors, [challenge.id]: errorMessage(failure) }));
    } finally {
      setClaiming(null);
      await load();
    }
  };

  return (
    <main>
      <header>
        <h1>Locker Room</h1>
        {profile && (
          <div className="who">
            <span className="user-id" title={profile.userId}>
              {profile.userId}
            </span>
            <span className={live ? 'live-status live' : 'live-status'} data-testid="live-status" title={live ? 'Awards appear here as they happen' : 'Reconnecting to live updates…'}>
              {live ? 'Live' : 'Reconnecting…'}
            </span>
            <button type="button" onClick={() => void load()}>
              Refresh
            </button>
            {fromHost === null && (
              <button type="button" onClick={signOut}>
                Sign out
              </button>
            )}
          </div>
        )}
      </header>
      {token === null ? (
        fromHost === null ? (
          <SignIn onSignIn={signIn} error={error} available={devSignIn} />
        ) : (
          <p role={error === null ? undefined : 'alert'}>{error ?? 'Signing in…'}</p>
        )
      ) : profile === null ? (
        <p>{error ?? 'Loading…'}</p>
      ) : (
        <div className="dashboard">
          <LevelProgressBar {...profile} />
          <StreakWidget {...profile} />
          <ChallengeList challenges={profile.challenges} onClaim={(challenge) => void claim(challenge)} claiming={claiming} errors={claimErrors} />
          <PracticeWidgets token={token} refreshKey={loads} now={new Date()} />
          <SkillTreeWidget token={token} refreshKey={loads} />
          <LeaderboardCard token={token} userId={profile.userId} refreshKey={loads} />
          <BadgeDisplay catalog={catalog} earned={profile.badges} token={token} />
        </div>
      )}
      <Celebrations events={celebrations} onDismiss={dismiss} />
    </main>
  );
}
