/**
 * `npm run bench -- resubscribe [--live 5000,10000,20000]`
 *
 * What a dropped pub/sub link costs a process with many live profiles on a Redis Cluster: every
 * sharded subscriber connection of the process is cut (CLIENT KILL on each master of a private
 * 3-master cluster), ioredis reconnects and resubscribes, and the change bus confirms every
 * channel before telling listeners to re-read. Measured from the cut until that confirmation:
 * the time it takes, and the longest the event loop was held meanwhile (the gap between ticks of
 * a 1 ms timer), which is how long every request of the process waits, and what trips the 1 s
 * socket timeouts of its Redis connections when it passes a second.
 *
 * Side by side for each N:
 * - `all at once`: the confirmation as one writes it with ioredis, one SSUBSCRIBE per channel
 *   sent together (each must name one slot), on a sharded subscriber holding N channels;
 * - `change bus`: our Personalizer (compiled `dist/`) with N live profiles, which confirms in
 *   steps of 250 channels (see `resubscribeSharded` in engine/bus/redis-bus.ts).
 *
 * Ends with `{"bench":"resubscribe","live":N,"stall_ms":A,"peer_stall_ms":B,"confirmed_ms":C,"peer_confirmed_ms":D}`
 * for the largest N.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster } from 'ioredis';
import type * as AssembleModule from '../engine/assemble';
import type * as RulesModule from '../engine/rules';
import { spawnRedisCluster } from '../test/setup/redis-cluster';
import { cutPubSubLinks } from '../test/support/pubsub-links';
import { compiled } from './support/compiled';
import { inSteps } from './support/in-steps';

type Nodes = Array<{ host: string; port: number }>;

interface Recovery {
  /** From the cut to the confirmation (ms). */
  confirmedMs: number;
  /** The longest gap between ticks of a 1 ms timer meanwhile (ms). */
  stallMs: number;
}

/** Times `cut` and what follows until `confirmed` (every channel confirmed) resolves. */
async function timeRecovery(cut: () => Promise<unknown>, confirmed: Promise<void>): Promise<Recovery> {
  let last = performance.now();
  let stallMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 1);
  const start = performance.now();
  await cut();
  await confirmed;
  const confirmedMs = performance.now() - start;
  clearInterval(ticker);
  stallMs = Math.max(stallMs, performance.now() - last);
  return { confirmedMs, stallMs };
}

/** A sharded subscriber with `live` channels, confirmed again all at once after the cut. */
async function allAtOnce(nodes: Nodes, admin: Cluster, live: number): Promise<Recovery> {
  const subscriber = new Cluster(nodes, { shardedSubscribers: true });
  subscriber.on('error', () => {});
  try {
    const channels = Array.from({ length: live }, (_, i) => `peer:{p${live}-${i}}:ch`);
    await inSteps(channels, (channel) => subscriber.ssubscribe(channel));
    const confirmed = new Promise<void>((resolve) => {
      subscriber.once('subscribersReady', () => {
        void Promise.all(channels.map((channel) => subscriber.ssubscribe(channel))).then(() => resolve());
      });
    });
    return await timeRecovery(() => cutPubSubLinks(admin, ''), confirmed);
  } finally {
    subscriber.disconnect();
  }
}

/** Our Personalizer with `live` profiles listened to, until it tells listeners to re-read. */
async function changeBus(
  nodes: Nodes,
  admin: Cluster,
  live: number,
  engineModules: typeof AssembleModule & typeof RulesModule,
): Promise<Recovery> {
  const { assemblePersonalizer, compileRuleSet } = engineModules;
  const rules = compileRuleSet({ segments: [] });
  const engine = await assemblePersonalizer(rules, compileRuleSet, {
    redis: { nodes },
    keyPrefix: `resub${live}`,
    logger: { info() {}, warn() {}, error: console.error },
  });
  try {
    const unsubscribes: Array<() => void> = [];
    await inSteps(
      Array.from({ length: live }, (_, i) => `v${i}`),
      (profile) => {
        const unsubscribe = engine.subscribe(profile, () => {});
        unsubscribes.push(unsubscribe);
        return unsubscribe.ready;
      },
    );
    const confirmed = new Promise<void>((resolve) => {
      const off = engine.onResubscribed(() => {
        off();
        resolve();
      });
    });
    const recovery = await timeRecovery(() => cutPubSubLinks(admin, ''), confirmed);
    unsubscribes.forEach((u) => u());
    return recovery;
  } finally {
    await engine.close();
  }
}

export async function run(args: string[]): Promise<void> {
  let sizes = [5000, 10000, 20000];
  if (args[0] === '--live' && args[1]) sizes = args[1].split(',').map(Number);
  if (args.length % 2 !== 0 || sizes.some((n) => !Number.isSafeInteger(n) || n <= 0)) {
    throw new Error(`bad arguments ${args.join(' ')}: expected --live N[,N...]`);
  }
  const dist = compiled('engine');
  const engineModules = {
    ...((await import(join(dist, 'assemble.js'))) as typeof AssembleModule),
    ...((await import(join(dist, 'rules/index.js'))) as typeof RulesModule),
  };
  const cluster = await spawnRedisCluster();
  const admin = new Cluster(cluster.nodes);
  let last: Record<string, number> = {};
  try {
    for (const live of sizes) {
      const peer = await allAtOnce(cluster.nodes, admin, live);
      await sleep(500);
      const ours = await changeBus(cluster.nodes, admin, live, engineModules);
      await sleep(500);
      console.log(
        `${live} live profiles, pub/sub links cut: all at once confirmed in ${peer.confirmedMs.toFixed(0)} ms, ` +
          `event loop held up to ${peer.stallMs.toFixed(0)} ms; change bus confirmed in ${ours.confirmedMs.toFixed(0)} ms, ` +
          `held up to ${ours.stallMs.toFixed(0)} ms (${(peer.stallMs / ours.stallMs).toFixed(1)}x shorter)`,
      );
      last = {
        live,
        stall_ms: Math.round(ours.stallMs),
        peer_stall_ms: Math.round(peer.stallMs),
        confirmed_ms: Math.round(ours.confirmedMs),
        peer_confirmed_ms: Math.round(peer.confirmedMs),
      };
    }
    console.log(JSON.stringify({ bench: 'resubscribe', ...last }));
  } finally {
    admin.disconnect();
    await cluster.stop();
  }
}
