/**
 * "Sign in" of the demo: `identify` merges this browser's anonymous profile into a user id, so the
 * same user in another browser shares segments (and sees the same variants, pushed live).
 */
import { usePersonalize } from '@personalize/client/react';
import { useState, type FormEvent } from 'react';

const USER_KEY = 'demo.userId';

/**
 * The proof that this browser is `userId`, from the site's backend (in the demo, a stand-in that
 * signs any id: there is no real login). Without that backend, identify is sent without a proof
 * and the endpoint decides.
 */
async function identityProof(userId: string): Promise<string | undefined> {
  const response = await fetch('/demo/identity-proof', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  if (!response.ok) return undefined;
  return ((await response.json()) as { proof?: string }).proof;
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
      await client.identify(id, { demo: true }, await identityProof(id));
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

  if (signedIn) {
    return (
      <div className="identity">
        Signed in as <strong data-testid="signed-in-as">{signedIn}</strong>{' '}
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
