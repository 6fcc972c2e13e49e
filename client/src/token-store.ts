/**
 * Where the session token lives between page loads. In a browser that is `localStorage`, shared by
 * every tab of the site, which is what makes two tabs one visitor. Storage can be unavailable
 * (private modes, disabled cookies, sandboxed iframes throw on access): the token then lives in
 * memory for the page's lifetime, and personalization still works within it.
 */

/** Reads and writes the profile token. Synchronous so the first request needs no extra tick. */
export interface TokenStore {
  get(): string | null;
  /** `null` removes the token (after `forgetMe`, or when the server refuses it). */
  set(token: string | null): void;
  /**
   * Reports changes made elsewhere (another tab writing the same `localStorage` key), so every tab
   * of a visitor follows one token. Optional: a store private to the page has no "elsewhere".
   */
  onExternalChange?(listener: (token: string | null) => void): () => void;
}

/** The default `localStorage` key. */
export const DEFAULT_TOKEN_KEY = 'personalize.token';

/** A token store that forgets everything when the page goes away. */
export function memoryTokenStore(initial: string | null = null): TokenStore {
  let token = initial;
  return {
    get: () => token,
    set: (next) => {
      token = next;
    },
  };
}

/**
 * A token store backed by `localStorage` under `key`, falling back to memory when storage throws.
 * The fallback keeps the last value written, so a failing write never loses the token of this page.
 */
export function localStorageTokenStore(key: string = DEFAULT_TOKEN_KEY): TokenStore {
  const fallback = memoryTokenStore();
  const storage = (): Storage | null => {
    try {
      return typeof localStorage === 'undefined' ? null : localStorage;
    } catch {
      return null;
    }
  };
  return {
    get() {
      try {
        return storage()?.getItem(key) ?? fallback.get();
      } catch {
        return fallback.get();
      }
    },
    set(token) {
      fallback.set(token);
      try {
        if (token === null) storage()?.removeItem(key);
        else storage()?.setItem(key, token);
      } catch {
        // Quota or access errors: the in-memory copy above keeps this page working.
      }
    },
    onExternalChange(listener) {
      if (typeof addEventListener !== 'function') return () => undefined;
      // `storage` fires in every other tab of the origin when one tab writes; never in the writer.
      const onStorage = (event: StorageEvent): void => {
        if (event.key !== key && event.key !== null) return; // null: storage was cleared
        fallback.set(event.newValue);
        listener(event.key === null ? null : event.newValue);
      };
      addEventListener('storage', onStorage);
      return () => removeEventListener('storage', onStorage);
    },
  };
}
