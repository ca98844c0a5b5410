import { useCallback, useEffect, useState } from 'react';
import { ApiError, gamificationApi } from './api';
import { BadgeDisplay } from './components/BadgeDisplay';
import { ChallengeList } from './components/ChallengeList';
import { LevelProgressBar } from './components/LevelProgressBar';
import { SignIn } from './components/SignIn';
import { StreakWidget } from './components/StreakWidget';
import type { BadgeCatalogEntry, Challenge, Profile } from './types';

const TOKEN_KEY = 'locker-room-token';

function message(error: unknown): string {
  return error instanceof ApiError || error instanceof Error ? error.message : 'Something went wrong.';
}

/** The Locker Room: level, XP, streak, badges and today's challenges of the signed-in user. */
export function App() {
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(TOKEN_KEY));
  const [profile, setProfile] = useState<Profile | null>(null);
  const [catalog, setCatalog] = useState<BadgeCatalogEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [claiming, setClaiming] = useState<string | null>(null);
  const [claimErrors, setClaimErrors] = useState<Record<string, string>>({});
  const [devSignIn, setDevSignIn] = useState(false);

  useEffect(() => {
    void gamificationApi.devSignInAvailable().then(setDevSignIn);
  }, []);

  const signOut = useCallback(() => {
    sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
    setProfile(null);
  }, []);

  const load = useCallback(async () => {
    if (token === null) {
      return;
    }
    try {
      const [nextProfile, nextCatalog] = await Promise.all([gamificationApi.profile(token), gamificationApi.badges(token)]);
      setProfile(nextProfile);
      setCatalog(nextCatalog);
      setError(null);
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 401) {
        signOut();
      }
      setError(message(failure));
    }
  }, [token, signOut]);

  useEffect(() => {
    void load();
  }, [load]);

  const signIn = async (userId: string) => {
    try {
      const minted = await gamificationApi.devToken(userId);
      sessionStorage.setItem(TOKEN_KEY, minted);
      setToken(minted);
      setError(null);
    } catch (failure) {
      setError(message(failure));
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
      setClaimErrors((errors) => ({ ...errors, [challenge.id]: message(failure) }));
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
            <span>{profile.userId}</span>
            <button type="button" onClick={() => void load()}>
              Refresh
            </button>
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </div>
        )}
      </header>
      {token === null ? (
        <SignIn onSignIn={signIn} error={error} available={devSignIn} />
      ) : profile === null ? (
        <p>{error ?? 'Loading…'}</p>
      ) : (
        <div className="dashboard">
          <LevelProgressBar {...profile} />
          <StreakWidget {...profile} />
          <ChallengeList challenges={profile.challenges} onClaim={(challenge) => void claim(challenge)} claiming={claiming} errors={claimErrors} />
          <BadgeDisplay catalog={catalog} earned={profile.badges} />
        </div>
      )}
    </main>
  );
}
