/**
 * The change bus: announces `SegmentChange`s per profile and carries broadcast control messages
 * (content invalidation, rules reloads) between instances.
 *
 * Listening is ref-counted: however many local listeners a profile has, the process holds one
 * channel subscription for it, on one subscriber connection. Delivery is at-most-once (Redis
 * pub/sub): a listener that must not miss state reads the current profile after subscribing.
 */
import type { JsonValue, SegmentChange } from '../types';

/** The function `subscribe` returns: call it to stop listening; `ready` settles once subscribed. */
export interface Unsubscribe {
  (): void;
  /** Resolves when the underlying channel subscription is in place (at once in process). */
  readonly ready: Promise<void>;
}

export type ChangeListener = (change: SegmentChange) => void;
export type BroadcastListener = (payload: JsonValue) => void;

export interface ChangeBus {
  /** Listens to one profile's changes. */
  subscribe(profileId: string, listener: ChangeListener): Unsubscribe;
  /** The profiles this process has listeners for (re-evaluated at once when the rules change). */
  subscribedProfiles(): string[];
  /** Whether this process has a listener for `profileId`. */
  isSubscribed(profileId: string): boolean;
  /** Announces a change that no store commit announced (merges, erasures). */
  publishChange(change: SegmentChange): Promise<void>;
  /** Sends `payload` to every instance's listeners of `topic`, this one's included. */
  broadcast(topic: string, payload: JsonValue): Promise<void>;
  onBroadcast(topic: string, listener: BroadcastListener): () => void;
  /**
   * Called when listening resumed after the bus's link dropped: changes announced meanwhile were
   * lost, so listeners must re-read the current state. Never called by an in-process bus.
   */
  onResubscribed(listener: () => void): () => void;
  close(): Promise<void>;
}
