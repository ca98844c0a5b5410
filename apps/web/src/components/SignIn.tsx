import { useState, type FormEvent } from 'react';

interface Props {
  onSignIn: (userId: string) => Promise<void>;
  error: string | null;
  /** False where the server offers no development sign-in (production): the form is disabled. */
  available: boolean;
}

/** Development sign-in: a token for any userId, from the api's development-only endpoint. */
export function SignIn({ onSignIn, error, available }: Props) {
  const [userId, setUserId] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await onSignIn(userId.trim());
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card sign-in" onSubmit={submit}>
      <h2>Sign in (development)</h2>
      <label htmlFor="user-id">User id</label>
      <input
        id="user-id"
        value={userId}
        onChange={(event) => setUserId(event.target.value)}
        pattern="[A-Za-z0-9._:@\-]{1,128}"
        required
        disabled={!available}
      />
      <button type="submit" disabled={busy || !available}>
        Sign in
      </button>
      {!available && <p className="caption">Development sign-in is off on this server: sign in through your identity provider.</p>}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
