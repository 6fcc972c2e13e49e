/**
 * Every broadcast topic on the change bus, in one place: the engine, the server and the plugin
 * send and listen through these names, so a sender and its listeners cannot drift apart. The
 * wire names keep their spelling: every process of a deployment must agree on them (a rolling
 * upgrade mixes versions), and tools and tests broadcast them by name.
 */
export const TOPICS = {
  /** A `forget` (or a consent withdrawal) tells every process to drop its copy of the profile. Payload `{ profileId }`. */
  forgotten: 'personalize:forgotten',
  /** Content was published: every instance refreshes it. Payload `{ uid, ids }`. */
  content: 'content',
  /** An anonymous profile was merged into a user's. Payload `{ from, into }`. */
  merge: 'merge',
  /** The API keys changed: every instance reloads them. Payload `{ at }`. */
  apiKeys: 'api-keys',
  /** The rules changed: every instance reloads them. Payload `{ at }`. */
  rules: 'rules',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];
