/**
 * The change bus over Redis pub/sub: plain channels (SUBSCRIBE/PUBLISH) on a single node, sharded
 * channels (SSUBSCRIBE/SPUBLISH) on a cluster, so a message stays inside the shard of the profile
 * it concerns. One subscriber connection per process, one channel subscription per profile with
 * local listeners (ref-counted), one broadcast channel for every control topic.
 *
 * Pub/sub is at-most-once: whatever is published while the subscriber's link is down (Redis
 * restarting, a network cut, a failover) is lost, even once ioredis has resubscribed by itself.
 * So when the link comes back the bus subscribes every channel again, waits for Redis to confirm,
 * and only then tells `onResubscribed` listeners, which re-read the current state: a read made
 * after the confirmation cannot miss a change, since any later change is delivered.
 */
import type { Cluster, Redis } from 'ioredis';
import { quitWithin } from '../store/redis/connection';
import type { RedisKeys } from '../store/redis/keys';
import type { JsonValue, SegmentChange } from '../types';
import { ListenerRegistry } from './listeners';
import type { BroadcastListener, ChangeBus, ChangeListener, Unsubscribe } from './types';

export interface RedisBusOptions {
  /** The command connection (publishing). */
  client: Redis | Cluster;
  /** A dedicated connection this bus owns and closes (subscriber mode). */
  subscriber: Redis | Cluster;
  sharded: boolean;
  keys: RedisKeys;
  logger: Pick<Console, 'warn' | 'error'>;
}

/**
 * Sharded channels subscribed again per step after a reconnect (see `resubscribeSharded`).
 *
 * ioredis's cluster client books every SSUBSCRIBE and SUNSUBSCRIBE in time proportional to the
 * slots it has subscribed in so far (5.x `ClusterSubscriberGroup.addChannels`): sent all at once,
 * 10,000 channels held the event loop for 0.7 s and 20,000 for 2-3 s on a 2-core machine, past
 * every connection's 1 s socket timeout. In steps, each awaited, it is held for 0.14-0.22 s at
 * most and requests keep flowing in between; the confirmation takes a little longer in all
 * (`npm run bench -- resubscribe`).
 */
const RESUBSCRIBE_STEP = 250;

interface BroadcastMessage {
  topic: string;
  payload: JsonValue;
}

export class RedisBus implements ChangeBus {
  private readonly changes: ListenerRegistry<SegmentChange>;
  private readonly topics: ListenerRegistry<JsonValue>;
  /** Channel name -> profile id, for the channels currently subscribed. */
  private readonly profileOfChannel = new Map<string, string>();
  private readonly broadcastChannel: string;
  /** Resolves once the broadcast channel is subscribed. */
  readonly ready: Promise<void>;
  private readonly resubscribedListeners = new Set<() => void>();
  /** Set when the subscriber's link dropped; cleared when it is back and resubscribed. */
  private dropped = false;
  private closed = false;

  constructor(private readonly options: RedisBusOptions) {
    const onListenerError = (error: unknown) =>
      options.logger.error('personalize: change listener failed', error);
    this.changes = new ListenerRegistry(onListenerError);
    this.topics = new ListenerRegistry(onListenerError);
    this.broadcastChannel = `${options.keys.prefix}:{broadcast}`;
    const onMessage = (channel: string, message: string) => this.onMessage(channel, message);
    options.subscriber.on(options.sharded ? 'smessage' : 'message', onMessage);
    this.watchLink();
    this.ready = this.channelCommand('subscribe', this.broadcastChannel);
  }

  subscribe(profileId: string, listener: ChangeListener): Unsubscribe {
    const channel = this.options.keys.channel(profileId);
    let ready = Promise.resolve();
    if (this.changes.add(profileId, listener)) {
      this.profileOfChannel.set(channel, profileId);
      ready = this.channelCommand('subscribe', channel);
    }
    const unsubscribe = () => {
      if (this.changes.remove(profileId, listener)) {
        this.profileOfChannel.delete(channel);
        void this.channelCommand('unsubscribe', channel);
      }
    };
    return Object.assign(unsubscribe, { ready });
  }

  subscribedProfiles(): string[] {
    return this.changes.keys();
  }

  isSubscribed(profileId: string): boolean {
    return this.changes.has(profileId);
  }

  async publishChange(change: SegmentChange): Promise<void> {
    await this.publish(this.options.keys.channel(change.profileId), JSON.stringify(change));
  }

  async broadcast(topic: string, payload: JsonValue): Promise<void> {
    const message: BroadcastMessage = { topic, payload };
    await this.publish(this.broadcastChannel, JSON.stringify(message));
  }

  onBroadcast(topic: string, listener: BroadcastListener): () => void {
    this.topics.add(topic, listener);
    return () => void this.topics.remove(topic, listener);
  }

  onResubscribed(listener: () => void): () => void {
    this.resubscribedListeners.add(listener);
    return () => void this.resubscribedListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await quitWithin(this.options.subscriber);
  }

  private async publish(channel: string, message: string): Promise<void> {
    const client = this.options.client;
    if (this.options.sharded) await client.spublish(channel, message);
    else await client.publish(channel, message);
  }

  /** (Un)subscribes one channel; failures are logged (a listener then hears nothing, as after a drop). */
  private async channelCommand(command: 'subscribe' | 'unsubscribe', channel: string): Promise<void> {
    if (this.closed) return;
    const subscriber = this.options.subscriber;
    try {
      if (this.options.sharded) {
        // One channel per call: SSUBSCRIBE must name channels of a single slot.
        await (command === 'subscribe' ? subscriber.ssubscribe(channel) : subscriber.sunsubscribe(channel));
      } else {
        await (command === 'subscribe' ? subscriber.subscribe(channel) : subscriber.unsubscribe(channel));
      }
    } catch (error) {
      if (!this.closed) this.options.logger.warn(`personalize: ${command} failed`, error);
    }
  }

  /**
   * Notices the subscriber's link dropping and coming back. A single node reports `close` and then
   * `ready` (after ioredis re-sent its subscriptions); a cluster's sharded subscribers report a
   * lost node (`-node`) and `subscribersReady` once they are rebuilt.
   */
  private watchLink(): void {
    const subscriber = this.options.subscriber;
    const drop = () => {
      if (!this.closed) this.dropped = true;
    };
    const back = () => {
      if (!this.dropped || this.closed) return;
      this.dropped = false;
      void this.resubscribe();
    };
    if (this.options.sharded) {
      subscriber.on('-node', drop);
      subscriber.on('close', drop);
      subscriber.on('subscribersReady', back);
    } else {
      subscriber.on('close', drop);
      subscriber.on('ready', back);
    }
  }

  /** Subscribes every channel again, then tells the listeners to re-read what they may have missed. */
  private async resubscribe(): Promise<void> {
    const channels = [this.broadcastChannel, ...this.profileOfChannel.keys()];
    const subscriber = this.options.subscriber;
    try {
      // Re-subscribing a subscribed channel is harmless; the confirmation is what matters.
      if (this.options.sharded) await this.resubscribeSharded(channels);
      else await subscriber.subscribe(...channels);
    } catch (error) {
      // The link dropped again: its next return resubscribes and notifies.
      if (!this.closed)
        this.options.logger.warn('personalize: resubscribing after a reconnect failed', error);
      return;
    }
    if (this.closed) return;
    this.options.logger.warn(
      `personalize: change bus reconnected; ${channels.length - 1} live profiles re-read their state`,
    );
    for (const listener of [...this.resubscribedListeners]) {
      try {
        listener();
      } catch (error) {
        this.options.logger.error('personalize: resubscribe listener failed', error);
      }
    }
  }

  /**
   * One SSUBSCRIBE per channel (each must name a single slot), `RESUBSCRIBE_STEP` at a time. Each
   * is preceded by a SUNSUBSCRIBE of the same channel: ioredis's cluster client appends a channel
   * subscribed again to its own list without checking for it, and sends that list again on every
   * reconnect, so it would grow by every live channel at each one. Nothing published in between
   * is missed for good: listeners re-read once this is done. A channel whose last listener left
   * meanwhile is skipped.
   */
  private async resubscribeSharded(channels: readonly string[]): Promise<void> {
    const subscriber = this.options.subscriber;
    for (let start = 0; start < channels.length; start += RESUBSCRIBE_STEP) {
      const step = channels
        .slice(start, start + RESUBSCRIBE_STEP)
        .filter((channel) => channel === this.broadcastChannel || this.profileOfChannel.has(channel));
      await Promise.all(
        step.flatMap((channel) => [subscriber.sunsubscribe(channel), subscriber.ssubscribe(channel)]),
      );
    }
  }

  private onMessage(channel: string, message: string): void {
    try {
      if (channel === this.broadcastChannel) {
        const { topic, payload } = JSON.parse(message) as BroadcastMessage;
        this.topics.emit(topic, payload);
        return;
      }
      const profileId = this.profileOfChannel.get(channel);
      if (profileId !== undefined) this.changes.emit(profileId, JSON.parse(message) as SegmentChange);
    } catch {
      // Not logged as is: a parse error quotes the message, which may hold personal data.
      this.options.logger.warn('personalize: an unreadable bus message was dropped');
    }
  }
}
