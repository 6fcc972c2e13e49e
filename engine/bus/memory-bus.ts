/**
 * The change bus inside one process (for the embedded store): no channels, just listener sets.
 * Deliveries are queued as microtasks so a publisher never runs listener code re-entrantly.
 */
import type { JsonValue, SegmentChange } from '../types';
import { ListenerRegistry } from './listeners';
import type { BroadcastListener, ChangeBus, ChangeListener, Unsubscribe } from './types';

export class MemoryBus implements ChangeBus {
  private readonly changes: ListenerRegistry<SegmentChange>;
  private readonly topics: ListenerRegistry<JsonValue>;

  constructor(onListenerError: (error: unknown) => void) {
    this.changes = new ListenerRegistry(onListenerError);
    this.topics = new ListenerRegistry(onListenerError);
  }

  subscribe(profileId: string, listener: ChangeListener): Unsubscribe {
    this.changes.add(profileId, listener);
    const unsubscribe = () => void this.changes.remove(profileId, listener);
    return Object.assign(unsubscribe, { ready: Promise.resolve() });
  }

  subscribedProfiles(): string[] {
    return this.changes.keys();
  }

  isSubscribed(profileId: string): boolean {
    return this.changes.has(profileId);
  }

  /** Delivers a change to this process's listeners (what a store commit calls). */
  deliver(change: SegmentChange): void {
    this.changes.emit(change.profileId, change);
  }

  async publishChange(change: SegmentChange): Promise<void> {
    queueMicrotask(() => this.deliver(change));
  }

  async broadcast(topic: string, payload: JsonValue): Promise<void> {
    const copy = structuredClone(payload);
    queueMicrotask(() => this.topics.emit(topic, copy));
  }

  onBroadcast(topic: string, listener: BroadcastListener): () => void {
    this.topics.add(topic, listener);
    return () => void this.topics.remove(topic, listener);
  }

  /** Nothing to resume: an in-process bus never loses a delivery. */
  onResubscribed(): () => void {
    return () => {};
  }

  async close(): Promise<void> {}
}
