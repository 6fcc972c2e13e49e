/**
 * `npm run bench -- ingest [--events N] [--profiles N] [--concurrency N] [--batch N] [--paced-seconds S] [--cluster 1] [--recent-profiles N]`
 *
 * The whole ingest path (validate raw Segment-spec events, route, store with de-duplication and
 * trimming in one Lua script, evaluate the compiled rules, commit and announce on change) against
 * a private redis-server (or 3-master cluster) spawned for the run.
 *
 * The engine is the compiled `dist/` (built first), as in production and in the other benchmarks.
 *
 * 1. Latency: events paced at 1,000/s for `paced-seconds` after a 3 s warm-up, each one entering
 *    its profile into a segment; measured from the `track` call to the change reaching a
 *    subscriber over Redis pub/sub. It runs first, in a process that has only done that: run
 *    after the throughput phase it measured the aftermath of a saturating burst (a young
 *    generation grown for it, and a full collection of its garbage landing in the window), not
 *    the steady state at 1,000 events/s. The V8 collections that paused the process during the
 *    measured window are printed with it: on this kind of machine they are much of the tail.
 *    Latency runs from the `track` call: an event due during a pause is sent after it and does
 *    not count the pause, as it would arriving on a socket, so this p99 is if anything low.
 * 2. The machine's floor for that latency, side by side: the same pacing and the same chain as
 *    one announced change (a ZADD and a script that writes and publishes, sent in one write on a
 *    single node, heard on a subscriber connection) with none of our work around them. On
 *    a virtual machine whose idle vCPUs are slow to wake, this floor alone can approach a
 *    millisecond-level target; the ratio `p99_vs_floor` says how much our path adds, whatever
 *    the machine.
 * 3. Throughput: `events` events over `profiles` profiles, `concurrency` track calls in flight,
 *    `batch` events per call (a front end's batched upload; the reported figure), after a run of
 *    half as many events sent one per call (printed for comparison).
 *
 * Ends with `{"bench":"ingest","events_per_s":N,"p50_ms":A,"p99_ms":B,"floor_p99_ms":F,"p99_vs_floor":R}`.
 */
import { join } from 'node:path';
import { constants, performance, PerformanceObserver } from 'node:perf_hooks';
import Redis from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import type * as EventsModule from '../engine/events';
import type * as AssembleModule from '../engine/assemble';
import type { PersonalizerEngine } from '../engine/personalizer';
import type * as RulesModule from '../engine/rules';
import type { RuleSetSource } from '../engine/types';
import { spawnRedisCluster } from '../test/setup/redis-cluster';
import { spawnRedis } from '../test/setup/redis-server';
import { compiled } from './support/compiled';
import { inSteps } from './support/in-steps';

/** The engine as production runs it: the compiled `dist/` (see support/compiled.ts), not tsx's output. */
async function compiledEngine(): Promise<typeof AssembleModule & typeof EventsModule & typeof RulesModule> {
  const dist = compiled('engine');
  return {
    ...((await import(join(dist, 'assemble.js'))) as typeof AssembleModule),
    ...((await import(join(dist, 'events/index.js'))) as typeof EventsModule),
    ...((await import(join(dist, 'rules/index.js'))) as typeof RulesModule),
  };
}

interface Settings {
  events: number;
  profiles: number;
  concurrency: number;
  batch: number;
  pacedSeconds: number;
  /** 1 = run against a private 3-master cluster instead of a single redis-server. */
  cluster: number;
  /** The engines' `recentProfiles` (0 turns the recent-profile fast path off); -1 = the engine's default. */
  recentProfiles: number;
}

function parse(args: string[]): Settings {
  const settings: Settings = {
    events: 60_000,
    profiles: 3_000,
    concurrency: 64,
    batch: 10,
    pacedSeconds: 10,
    cluster: 0,
    recentProfiles: -1,
  };
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i]
      ?.replace(/^--/, '')
      .replace(/-(\w)/g, (_m, c: string) => c.toUpperCase()) as keyof Settings;
    const value = Number(args[i + 1]);
    // Counts and seconds are positive integers; `cluster` is 0 or 1; `recentProfiles` may be 0.
    const valid =
      key === 'cluster'
        ? value === 0 || value === 1
        : Number.isSafeInteger(value) && (value > 0 || (key === 'recentProfiles' && value === 0));
    if (!(key in settings) || !valid) throw new Error(`bad argument ${args[i]} ${args[i + 1]}`);
    settings[key] = value;
  }
  return settings;
}

/** One segment: more than `threshold` article views within a minute. */
function readerRules(threshold: number): RuleSetSource {
  const rule = { count: 'Article Viewed', within: '1m', is: { $gt: threshold } };
  return { segments: [{ key: 'reader', name: 'Reader', priority: 1, enabled: true, rule }] };
}

/** Runs `settings.events` events through `track`; returns events per second. */
async function throughput(
  engine: PersonalizerEngine,
  validateEvents: typeof EventsModule.validateEvents,
  settings: Settings,
  label: string,
): Promise<number> {
  const start = Date.now();
  let accepted = 0;
  let changes = 0;
  const calls = Math.ceil(settings.events / settings.batch);
  let nextCall = 0;
  const worker = async () => {
    while (nextCall < calls) {
      const call = nextCall++;
      const raw: unknown[] = [];
      for (let i = 0; i < settings.batch; i += 1) {
        const n = call * settings.batch + i;
        raw.push({
          type: 'track',
          event: 'Article Viewed',
          messageId: `${label}${n}`,
          timestamp: new Date(start + (n % 1000)).toISOString(),
          properties: { articleId: n % 7 },
        });
      }
      const { events } = validateEvents(raw, Date.now());
      const outcome = await engine.track(`${label}${call % settings.profiles}`, events);
      accepted += outcome.accepted;
      if (outcome.change) changes += 1;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: settings.concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const perSecond = Math.round(accepted / seconds);
  console.log(
    `throughput (${label}): ${accepted} events over ${settings.profiles} profiles, ${settings.batch} per call, ` +
      `${settings.concurrency} calls in flight: ${seconds.toFixed(2)} s = ${perSecond} events/s (${changes} membership changes)`,
  );
  return perSecond;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** Events sent at 1,000/s before the latency measurement starts (see `pacedLatency`). */
const WARMUP_EVENTS = 3000;

/**
 * The latency floor of this machine for one announced change: paced at 1,000/s after the same
 * warm-up, the chain the engine sends for an event that enters a segment, with no validation and
 * no rules: a ZADD (the due-set) and a script that SETs and publishes, heard on a subscriber
 * connection. On a single node both go out in one write (one round trip); on a cluster the ZADD
 * is on another slot and is awaited first, and the script publishes with SPUBLISH to a sharded
 * subscriber, as the engine does.
 */
async function redisFloor(
  target: string | { nodes: Array<{ host: string; port: number }> },
  seconds: number,
): Promise<{ p50: number; p99: number; max: number }> {
  const single = typeof target === 'string';
  const client = single ? new Redis(target) : new Redis.Cluster(target.nodes);
  const subscriber = single
    ? new Redis(target)
    : new Redis.Cluster(target.nodes, { shardedSubscribers: true });
  // One hash tag for the written keys and the channel: a script on a cluster stays on one slot.
  const channel = 'bench-floor:{f}';
  const floor = client as (Redis | InstanceType<typeof Redis.Cluster>) & {
    setAndPublish(key: string, channel: string, message: string): Promise<number>;
  };
  floor.defineCommand('setAndPublish', {
    numberOfKeys: 1,
    lua: `redis.call('SET', KEYS[1], '1'); return redis.call('${single ? 'PUBLISH' : 'SPUBLISH'}', ARGV[1], ARGV[2])`,
  });
  const publish = (i: number) => floor.setAndPublish(`bench-floor:{f}:${i}`, channel, String(i));
  try {
    if (subscriber instanceof Redis) await subscriber.subscribe(channel);
    else await subscriber.ssubscribe(channel);
    const warmup = WARMUP_EVENTS;
    const total = warmup + 1000 * seconds;
    const sentAt = new Float64Array(total);
    const latencies: number[] = [];
    const heard = (_channel: string, message: string) => {
      const i = Number(message);
      if (i >= warmup) latencies.push(performance.now() - sentAt[i]!);
    };
    subscriber.on('message', heard);
    subscriber.on('smessage', heard);
    const start = performance.now();
    for (let i = 0; i < total; i += 1) {
      const wait = start + i - performance.now();
      if (wait > 1) await sleep(wait);
      sentAt[i] = performance.now();
      const scheduled = floor.zadd('bench-floor:due', i, String(i));
      if (client instanceof Redis) {
        // One write, as the engine sends them (a corked socket).
        client.stream.cork();
        void scheduled;
        void publish(i);
        client.stream.uncork();
      } else {
        void scheduled.then(() => publish(i));
      }
    }
    const deadline = Date.now() + 2000;
    while (latencies.length < total - warmup && Date.now() < deadline) await sleep(10);
    const sorted = latencies.sort((a, b) => a - b);
    return {
      p50: round(percentile(sorted, 50), 3),
      p99: round(percentile(sorted, 99), 3),
      max: round(sorted.at(-1) ?? NaN, 3),
    };
  } finally {
    client.disconnect();
    subscriber.disconnect();
  }
}

/** The V8 collections that paused this process while a measurement ran (perf_hooks' `gc` entries). */
interface PausesDuring {
  young: number[];
  full: number[];
}

/** Records the V8 collections from now on; `stop(since)` returns those that started at or after `since`. */
function watchCollections(): { stop(since: number): PausesDuring } {
  const entries: Array<{ at: number; ms: number; full: boolean }> = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // A gc entry's `detail.kind` (Node >= 16; absent from this version of its types).
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      entries.push({
        at: entry.startTime,
        ms: entry.duration,
        full: kind === constants.NODE_PERFORMANCE_GC_MAJOR,
      });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop(since) {
      observer.disconnect();
      const during = entries.filter((entry) => entry.at >= since);
      return {
        young: during.filter((entry) => !entry.full).map((entry) => entry.ms),
        full: during.filter((entry) => entry.full).map((entry) => entry.ms),
      };
    },
  };
}

function describePauses(label: string, pauses: number[]): string {
  if (pauses.length === 0) return `no ${label}`;
  const total = pauses.reduce((sum, ms) => sum + ms, 0);
  return `${pauses.length} ${label} (${round(total, 1)} ms in all, longest ${round(Math.max(...pauses), 1)} ms)`;
}

/**
 * Events paced at 1,000/s for `seconds` after a 3 s warm-up, each to a profile of its own that a
 * listener in this process subscribed to and that it enters into a segment: from the `track` call
 * to the change heard by that listener.
 *
 * The warm-up is what it takes V8 to optimize the ingest path at this pace: until then the code
 * runs unoptimized, and unoptimized, far more of each event's objects outlive a young-generation
 * collection (about 1.2 MB copied per scavenge instead of 0.3 MB, scavenges of 5-8 ms; with
 * `node --no-opt` it stays that way). Measured from 1 s, the first half second of the window
 * still had those pauses.
 */
async function pacedLatency(
  engine: PersonalizerEngine,
  validateEvents: typeof EventsModule.validateEvents,
  seconds: number,
): Promise<{ p50: number; p99: number; max: number; heard: number; pauses: PausesDuring }> {
  const warmup = WARMUP_EVENTS;
  const total = warmup + 1000 * seconds;
  // Plain arrays indexed by event number: nothing per event survives in the heap but a number
  // (retained outcomes would make every young-generation GC copy them, and show in the p99).
  const startedAt = new Float64Array(total);
  const latencies: number[] = [];
  const unsubscribes: Array<() => void> = [];
  await inSteps(
    Array.from({ length: total }, (_, i) => i),
    (i) => {
      const measured = i >= warmup;
      const unsubscribe = engine.subscribe(`l${i}`, () => {
        if (measured) latencies.push(performance.now() - startedAt[i]!);
      });
      unsubscribes.push(unsubscribe);
      return unsubscribe.ready;
    },
  );
  const collections = watchCollections();
  const pacedStart = performance.now();
  let pending = 0;
  let failures = 0;
  let sentAll = false;
  let allDone = () => {};
  const done = new Promise<void>((resolve) => (allDone = resolve));
  const settled = () => {
    pending -= 1;
    if (pending === 0 && sentAll) allDone();
  };
  for (let i = 0; i < total; i += 1) {
    const wait = pacedStart + i - performance.now();
    if (wait > 1) await sleep(wait);
    startedAt[i] = performance.now();
    const raw = [{ type: 'track', event: 'Article Viewed', messageId: `x${i}`, properties: {} }];
    pending += 1;
    engine.track(`l${i}`, validateEvents(raw, Date.now()).events).then(settled, () => {
      failures += 1;
      settled();
    });
  }
  sentAll = true;
  if (pending > 0) await done;
  if (failures > 0) throw new Error(`${failures} paced track calls failed`);
  const deadline = Date.now() + 2000;
  while (latencies.length < total - warmup && Date.now() < deadline) await sleep(10);
  const pauses = collections.stop(pacedStart + warmup);
  unsubscribes.forEach((u) => u());
  const sorted = latencies.sort((a, b) => a - b);
  return {
    p50: round(percentile(sorted, 50), 3),
    p99: round(percentile(sorted, 99), 3),
    max: round(sorted.at(-1) ?? NaN, 3),
    heard: sorted.length,
    pauses,
  };
}

export async function run(args: string[]): Promise<void> {
  const settings = parse(args);
  const { assemblePersonalizer, compileRuleSet, validateEvents } = await compiledEngine();
  const server = settings.cluster ? await spawnRedisCluster() : await spawnRedis();
  const redis = 'url' in server ? server.url : { nodes: server.nodes };
  console.log(`target: private ${settings.cluster ? '3-master Redis Cluster' : 'redis-server'} on loopback`);
  const quiet = { info() {}, warn: console.warn, error: console.error };
  const recent = settings.recentProfiles >= 0 ? { recentProfiles: settings.recentProfiles } : {};
  console.log(`recentProfiles: ${settings.recentProfiles >= 0 ? settings.recentProfiles : 'default'}`);
  // "At least one article view in 1 min" for latency (every event enters its profile into the
  // segment); "more than 3" for throughput (most events change nothing: the common case).
  const paced = await assemblePersonalizer(compileRuleSet(readerRules(0)), compileRuleSet, {
    redis,
    keyPrefix: 'bench-latency',
    logger: quiet,
    ...recent,
  });
  const engine = await assemblePersonalizer(compileRuleSet(readerRules(3)), compileRuleSet, {
    redis,
    keyPrefix: 'bench',
    logger: quiet,
    ...recent,
  });
  try {
    // 1. Latency at a paced 1,000 events/s, each causing an announced change.
    const latency = await pacedLatency(paced, validateEvents, settings.pacedSeconds);
    const measured = 1000 * settings.pacedSeconds;
    console.log(
      `latency at 1000 events/s for ${settings.pacedSeconds} s: ${latency.heard}/${measured} changes announced after a ${WARMUP_EVENTS / 1000} s warm-up, p50 ${latency.p50} ms, p99 ${latency.p99} ms, max ${latency.max} ms`,
    );
    console.log(
      `  V8 collections pausing the process meanwhile: ${describePauses('young-generation', latency.pauses.young)}, ${describePauses('full', latency.pauses.full)}`,
    );
    // 2. The floor, in the same conditions.
    const floor = await redisFloor(redis, settings.pacedSeconds);
    console.log(
      `floor (bare ioredis: ZADD + a script that writes and publishes, heard by a subscriber; same pacing): p50 ${floor.p50} ms, p99 ${floor.p99} ms, max ${floor.max} ms`,
    );

    // 3. Throughput: one event per call, then batches (how the client package uploads).
    await throughput(
      engine,
      validateEvents,
      { ...settings, batch: 1, events: Math.ceil(settings.events / 2) },
      'single',
    );
    const eventsPerSecond = await throughput(engine, validateEvents, settings, 'batched');
    console.log(
      JSON.stringify({
        bench: 'ingest',
        events_per_s: eventsPerSecond,
        p50_ms: latency.p50,
        p99_ms: latency.p99,
        floor_p99_ms: floor.p99,
        p99_vs_floor: round(latency.p99 / floor.p99),
        recent_profiles: settings.recentProfiles >= 0 ? settings.recentProfiles : 'default',
      }),
    );
  } finally {
    await Promise.all([engine.close(), paced.close()]);
    await server.stop();
  }
}
