/**
 * Builds Personalizers for the contract suite over one backend (embedded, single Redis, cluster)
 * with the hand-written rule set, and lists what a profile left behind in the backend.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import Redis, { Cluster } from 'ioredis';
import { assemblePersonalizer, type PersonalizerOptions } from '../../engine/assemble';
import type { PersonalizerEngine } from '../../engine/personalizer';
import type { RuleSetSource, VisitorEvent } from '../../engine/types';
import { MemoryProfileStore } from '../../engine/store/memory/memory-store';
import { RedisProfileStore } from '../../engine/store/redis/redis-store';
import type { ProfileStore, StoreContext } from '../../engine/store/types';
import {
  ContextPolicy,
  DEFAULT_CONTEXT_ALLOWANCE,
  DEFAULT_PROFILE_LIMITS,
  type ProfileLimits,
} from '../../engine/store/limits';
import { handRules, type HandRulesOptions } from './hand-rules';

export type Backend =
  | { kind: 'memory' }
  | { kind: 'redis'; url: string }
  | { kind: 'cluster'; nodes: Array<{ host: string; port: number }> };

/** `setRules` takes the hand rules' options as the single "score" of the source. */
export function handSource(options: HandRulesOptions): RuleSetSource {
  return { segments: [], scores: [options] };
}

const compileHand = (source: RuleSetSource) => handRules(source.scores![0] as HandRulesOptions);

export const quietLogger = { info() {}, warn: console.warn, error: console.error };

export class Harness {
  readonly keyPrefix = `t${randomUUID().slice(0, 8)}`;
  private readonly engines: PersonalizerEngine[] = [];
  private admin: Redis | Cluster | undefined;
  private readonly clients: Array<Redis | Cluster> = [];

  constructor(readonly backend: Backend) {}

  /** A Personalizer on this backend (each with its own connections, like a separate process). */
  async engine(
    rules: HandRulesOptions,
    options: Omit<PersonalizerOptions, 'rules'> = {},
  ): Promise<PersonalizerEngine> {
    const redis =
      this.backend.kind === 'redis'
        ? this.backend.url
        : this.backend.kind === 'cluster'
          ? { nodes: this.backend.nodes }
          : undefined;
    if (this.backend.kind === 'memory' && this.engines.length > 0) {
      throw new Error('the embedded store lives in one process: one engine per memory harness');
    }
    const engine = await assemblePersonalizer(handRules(rules), compileHand, {
      keyPrefix: this.keyPrefix,
      logger: quietLogger,
      pollIntervalMs: 50,
      ...(redis ? { redis } : {}),
      ...options,
    });
    this.engines.push(engine);
    return engine;
  }

  /**
   * A bare store on this backend with a settable clock (for the embedded store's TTLs); Redis
   * stores take time only from each call's `StoreContext.now`.
   */
  store(options: { anonymousTtlMs?: number; userTtlMs?: number; maxProfiles?: number } = {}): {
    store: ProfileStore;
    clock: { time: number };
  } {
    const clock = { time: 0 };
    const ttl = { anonymousTtlMs: options.anonymousTtlMs ?? 0, userTtlMs: options.userTtlMs ?? 0 };
    if (this.backend.kind === 'memory') {
      const store = new MemoryProfileStore({
        clock: { now: () => clock.time },
        ...ttl,
        publish: () => {},
        ...(options.maxProfiles ? { maxProfiles: options.maxProfiles } : {}),
      });
      return { store, clock };
    }
    const client = this.adminClient();
    const store = new RedisProfileStore({
      client,
      sharded: client instanceof Cluster,
      keyPrefix: this.keyPrefix,
      ...ttl,
    });
    return { store, clock };
  }

  /**
   * Every key of this harness's prefix that contains `text` (all masters on a cluster); for the
   * embedded store, the held profile and alias ids that contain it.
   */
  async keysContaining(text: string): Promise<string[]> {
    if (this.backend.kind === 'memory') {
      const stores = this.engines.map((engine) => engine.store as MemoryProfileStore);
      // Like Redis's active expiry: what has expired is not held any more.
      stores.forEach((store) => store.sweep());
      return stores.flatMap((store) => store.heldIds()).filter((id) => id.includes(text));
    }
    const admin = this.adminClient();
    // A cluster client knows its masters only once connected: without this the scan sees nothing.
    if (admin instanceof Cluster && admin.status !== 'ready') await once(admin, 'ready');
    const nodes = admin instanceof Cluster ? admin.nodes('master') : [admin];
    const found: string[] = [];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${this.keyPrefix}:*`, 'COUNT', 1000);
        cursor = next;
        found.push(...keys.filter((key) => key.includes(text)));
      } while (cursor !== '0');
    }
    return found;
  }

  /**
   * Every profile id the Redis membership index holds (any segment, any partition, with repeats).
   * The embedded store keeps no index apart from the profiles (it counts their memberships).
   */
  async indexedIds(): Promise<string[]> {
    if (this.backend.kind === 'memory') return [];
    const admin = this.adminClient();
    const keys = await this.keysContaining(':members:');
    const members = await Promise.all(keys.map((key) => admin.zrange(key, 0, -1)));
    return members.flat();
  }

  /** How many connections subscribe to `channel` (sharded channels on a cluster, summed over masters). */
  async channelSubscribers(channel: string): Promise<number> {
    const admin = this.adminClient();
    if (admin instanceof Cluster) {
      if (admin.status !== 'ready') await once(admin, 'ready');
      const counts = await Promise.all(
        admin
          .nodes('master')
          .map(async (node) => (await node.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number]),
      );
      return counts.reduce((sum, [, count]) => sum + Number(count), 0);
    }
    const [, count] = (await admin.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
    return Number(count);
  }

  /**
   * A client to the backend whose connections, the subscriber connections duplicated from it
   * included, carry `name` (an engine given it can then have its own links cut, see
   * `cutPubSubLinks`); closed with the harness.
   */
  namedClient(name: string): Redis | Cluster {
    if (this.backend.kind === 'memory') throw new Error('no Redis behind the embedded store');
    const client =
      this.backend.kind === 'redis'
        ? new Redis(this.backend.url, { connectionName: name })
        : new Cluster(this.backend.nodes, { redisOptions: { connectionName: name } });
    this.clients.push(client);
    return client;
  }

  /** A plain client to the backend, for inspecting keys. */
  adminClient(): Redis | Cluster {
    if (this.backend.kind === 'memory') throw new Error('no Redis behind the embedded store');
    this.admin ??=
      this.backend.kind === 'redis' ? new Redis(this.backend.url) : new Cluster(this.backend.nodes);
    return this.admin;
  }

  async close(): Promise<void> {
    await Promise.all(this.engines.map((engine) => engine.close()));
    this.admin?.disconnect();
    for (const client of this.clients) client.disconnect();
  }
}

/**
 * The bounds part of a `StoreContext` for tests calling a store directly: the default limits
 * (overridden by `limits`) and a context policy keeping `paths` (default the allowance).
 */
export function storeBounds(
  paths: readonly string[] = DEFAULT_CONTEXT_ALLOWANCE,
  limits: Partial<ProfileLimits> = {},
): Pick<StoreContext, 'contextPolicy' | 'limits'> {
  const resolved = { ...DEFAULT_PROFILE_LIMITS, ...limits };
  return { contextPolicy: new ContextPolicy(paths, resolved.maxContextValueBytes), limits: resolved };
}

let sequence = 0;

/** A fresh, collision-free id (profiles and events). */
export function uid(label: string): string {
  sequence += 1;
  return `${label}-${randomUUID().slice(0, 8)}-${sequence}`;
}

export function view(
  at: number,
  properties: Record<string, string | number> = {},
  id = uid('ev'),
): VisitorEvent {
  return { id, type: 'Article Viewed', timestamp: at, properties, context: {} };
}

export function event(
  type: string,
  at: number,
  properties: Record<string, string | number> = {},
  id = uid('ev'),
): VisitorEvent {
  return { id, type, timestamp: at, properties, context: {} };
}
