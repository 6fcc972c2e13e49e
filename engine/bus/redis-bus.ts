/**
 * The change bus over Redis pub/sub: plain channels (SUBSCRIBE/PUBLISH) on a single node, sharded
 * channels (SSUBSCRIBE/SPUBLISH) on a cluster, so a message stays inside the shard of the profile
 * it concerns. One subscriber connection per process, one channel subscription per profile with
 * local listeners (ref-counted), one broadcast channel for every control topic.
 */
import type { Cluster, Redis } from 'ioredis';
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
  private closed = false;

  constructor(private readonly options: RedisBusOptions) {
    const onListenerError = (error: unknown) =>
      options.logger.error('personalize: change listener failed', error);
    this.changes = new ListenerRegistry(onListenerError);
    this.topics = new ListenerRegistry(onListenerError);
    this.broadcastChannel = `${options.keys.prefix}:{broadcast}`;
    const onMessage = (channel: string, message: string) => this.onMessage(channel, message);
    options.subscriber.on(options.sharded ? 'smessage' : 'message', onMessage);
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

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.options.subscriber.quit().catch(() => this.options.subscriber.disconnect());
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
