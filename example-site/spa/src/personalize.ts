/**
 * The app's one personalize client. The endpoint is same-origin by default (`/personalize/graphql`,
 * served by the CMS or proxied by Vite); `VITE_PERSONALIZE_URL` points it elsewhere.
 */
import { createPersonalizeClient } from '@personalize/client';

const url = import.meta.env.VITE_PERSONALIZE_URL ?? '/personalize/graphql';

export const personalize = createPersonalizeClient({
  url,
  beaconUrl: import.meta.env.VITE_PERSONALIZE_BEACON_URL,
  onError: (error) => console.warn('[personalize]', error),
});
