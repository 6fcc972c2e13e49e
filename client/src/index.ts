/**
 * `@personalize/client`: the browser client of strapi-plugin-personalize.
 *
 * ```ts
 * const personalize = createPersonalizeClient({ url: '/personalize/graphql' });
 * personalize.track('Article Viewed', { id: 'a1', category: 'news' });
 * const stop = personalize.live(HomeQuery, {}, { next: (data) => render(data) });
 * ```
 *
 * React hooks are in `@personalize/client/react`.
 */
export {
  createPersonalizeClient,
  type Observer,
  type Operation,
  type PersonalizeClient,
  type PersonalizeClientOptions,
} from './client.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { PersonalizeRequestError, type GraphQLErrorShape, type RequestFailure } from './errors.js';
export { EventQueue, type EventQueueOptions, type SendBatch } from './event-queue.js';
export {
  browserContext,
  createEvent,
  deviceTypeOf,
  newEventId,
  type DeviceType,
  type TrackedEvent,
} from './events.js';
export { liveSubscriptionText, toLiveSubscription } from './live-document.js';
export { webSocketUrlOf } from './live.js';
export {
  DEFAULT_TOKEN_KEY,
  localStorageTokenStore,
  memoryTokenStore,
  type TokenStore,
} from './token-store.js';
export type {
  ChangeCause,
  EventInput,
  Identified,
  Profile,
  SegmentChange,
  SegmentMembership,
  Session,
  TrackResult,
} from './types.js';
