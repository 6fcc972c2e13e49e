/**
 * "Sign in" of the demo: `identify` merges this browser's anonymous profile into a user id, so the
 * same user in another browser shares segments (and sees the same variants, pushed live). "Sign
 * out" starts a new anonymous session on this browser.
 */
import { usePersonalize } from '@personalize/client/react';
import { useState, type FormEvent } from 'react';

const USER_KEY = 'demo.userId';

/**
 * The identity assertion that this browser is `userId`: a short-lived, single-use JWT signed by the
 * site's backend (in the demo, a stand-in that signs any id: there is no real login), carrying the
 * user's traits. The browser never holds the secret and sends no traits of its own.
 */
async function identityAssertion(userId: string): Promise<string> {
  const response = await fetch('/demo/identity-assertion', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  const body = (await response.json()) as { assertion?: string; error?: string };
  if (!response.ok || !body.assertion) throw new Error(body.error ?? 'the sign-in backend did not answer');
  return body.assertion;
}

export function IdentifyForm() {
  const client = usePersonalize();
  const [userId, setUserId] = useState(() => localStorage.getItem(USER_KEY) ?? '');
  const [signedIn, setSignedIn] = useState(() => localStorage.getItem(USER_KEY));
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const id = userId.trim();
    if (!id) return;
    try {
      await client.identify(await identityAssertion(id));
      localStorage.setItem(USER_KEY, id);
      setSignedIn(id);
      setError(null);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  async function forget(): Promise<void> {
    await client.forgetMe();
    localStorage.removeItem(USER_KEY);
    setSignedIn(null);
    setUserId('');
  }

  /** Signs out: this browser becomes a new anonymous visitor; the user's profile stays. */
  async function signOut(): Promise<void> {
    await client.logout();
    localStorage.removeItem(USER_KEY);
    setSignedIn(null);
    setUserId('');
  }

  if (signedIn) {
    return (
      <div className="identity">
        Signed in as <strong data-testid="signed-in-as">{signedIn}</strong>{' '}
        <button type="button" onClick={() => void signOut()} data-testid="sign-out">
          Sign out
        </button>{' '}
        <button type="button" onClick={() => void forget()} title="Erase everything the site knows about you">
          Forget me
        </button>
      </div>
    );
  }
  return (
    <form className="identity" onSubmit={(event) => void submit(event)}>
      <input
        aria-label="user id"
        placeholder="user id, e.g. alice"
        value={userId}
        onChange={(event) => setUserId(event.target.value)}
        data-testid="user-id"
      />
      <button type="submit" data-testid="identify">
        Sign in
      </button>
      {error ? <span className="error">{error}</span> : null}
    </form>
  );
}
