/**
 * Where traits come from. Traits that rules trust (`traits` in a rule) come from the server side
 * only: an identity assertion's `traits` claim and the server-to-server API (`setTraits`). Traits
 * a browser sent to `identify` are kept apart, stored whole under one reserved trait key, and
 * reach rules only under the `clientTraits` root: a rule must name them to be swayed by them.
 */
import type { JsonObject } from '../types';

/** The reserved trait key holding the browser-sent traits (one JSON object). */
export const CLIENT_TRAITS_KEY = '$client';

/** Throws when server-side traits try to write the browser's namespace. */
export function assertServerTraits(traits: JsonObject): void {
  if (Object.prototype.hasOwnProperty.call(traits, CLIENT_TRAITS_KEY))
    throw new TypeError(`traits.${CLIENT_TRAITS_KEY} is reserved for browser-sent traits`);
}

/** What a profile with no browser-sent traits has (shared: read on every evaluation, never written). */
const NO_CLIENT_TRAITS: JsonObject = Object.freeze({});

/** Splits stored traits into the trusted ones and the browser-sent ones. */
export function splitTraits(stored: JsonObject): { traits: JsonObject; clientTraits: JsonObject } {
  if (!Object.prototype.hasOwnProperty.call(stored, CLIENT_TRAITS_KEY))
    return { traits: stored, clientTraits: NO_CLIENT_TRAITS };
  const { [CLIENT_TRAITS_KEY]: client, ...traits } = stored;
  const clientTraits =
    typeof client === 'object' && client !== null && !Array.isArray(client)
      ? (client as JsonObject)
      : NO_CLIENT_TRAITS;
  return { traits, clientTraits };
}
