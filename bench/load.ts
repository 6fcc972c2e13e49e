/**
 * `npm run bench -- load [--visitors 5000] [--duration 60] [--events-per-visitor-per-min 6]
 *   [--queries-per-visitor-per-min 3] [--generators 2] [--cpu-prof DIR]`
 *
 * Load, measured: one standalone server (`server/standalone.ts`, compiled, in a child process;
 * see support/compiled.ts) on a private redis-server, and `visitors` concurrent visitors driven by `generators`
 * other processes (bench/load/generator.ts). Every visitor has its own token, its own WebSocket
 * with one `live` subscription, and sends `track` calls (one event each) and page queries over
 * HTTP at steady per-visitor rates, each at a random phase. Sockets are opened first, in batches
 * (the ramp, not measured), then the steady phase runs for `duration` seconds.
 *
 * Two of each visitor's events change its segments (plan.ts: the seeded `reader` and
 * `breaking-news` rules, which swap the home banner), so pushes happen all along the run. The
 * event-to-push latency runs from sending that `track` to the push frame arriving on the
 * visitor's socket, both timed in the same generator process.
 *
 * Defaults, chosen so that the 2 cores (server, Redis and generators together) are loaded but not
 * saturated: 6 events and 3 queries per visitor per minute, i.e. at 5,000 visitors 500 track
 * calls/s, 250 queries/s and about 167 pushes/s. Errors are failed requests (non-2xx, GraphQL
 * errors, refused or reset connections), wrong `track` outcomes, refused WebSocket handshakes,
 * sockets closed during the run, and missed or unexpected pushes.
 *
 * All visitors come from 127.0.0.1, so the server's per-address `track` limit is raised for the
 * run through the standalone server's `LIMITS` (and printed); every other limit is the default.
 * `--cpu-prof DIR` writes a V8 CPU profile of the server to DIR when it exits.
 *
 * The server's own push-latency histogram (commit to socket, scraped from its metrics endpoint at
 * the end) is printed beside the end-to-end figures, to tell the server's part of a tail from the
 * request's way in and the generators'.
 *
 * Ends with `{"bench":"load","visitors":N,"events_per_s":E,"queries_per_s":Q,"push_p50_ms":A,
 * "push_p99_ms":P,"server_push_within_50ms_pct":S,"errors":0,"server_peak_rss_mb":M,"duration_s":D}`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { DEFAULT_LIMITS, type Limits } from '../server/limits';
import { freePort, spawnRedis } from '../test/setup/redis-server';
import {
  eventsPerVisitor,
  type FromGenerator,
  type GeneratorResult,
  type GeneratorSetup,
  type ToGenerator,
} from './load/plan';
import { compiled } from './support/compiled';
import { SERVER_NODE_FLAGS } from './support/server-flags';

const GENERATOR = join(__dirname, 'load', 'generator.ts');
const CONTENT = join(__dirname, '..', 'test', 'fixtures', 'content');
const SECRET = 'bench-secret-0123456789-abcdefghijklmnop';
const METRICS_TOKEN = 'bench-metrics-token-0123456789';
/** Linux clock ticks per second, the unit of CPU times in /proc/<pid>/stat and /proc/stat. */
const TICKS_PER_SECOND = 100;

interface Settings {
  visitors: number;
  duration: number;
  eventsPerVisitorPerMin: number;
  queriesPerVisitorPerMin: number;
  generators: number;
  cpuProf: string | null;
}

function parse(args: string[]): Settings {
  const settings: Settings = {
    visitors: 5000,
    duration: 60,
    eventsPerVisitorPerMin: 6,
    queriesPerVisitorPerMin: 3,
    generators: 2,
    cpuProf: null,
  };
  for (let index = 0; index < args.length; index += 2) {
    const [flag, value] = [args[index] ?? '', args[index + 1] ?? ''];
    if (flag === '--cpu-prof') {
      settings.cpuProf = resolve(value);
      continue;
    }
    const key = flag.replace(/^--/, '').replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
    const number = Number(value);
    if (!(key in settings) || key === 'cpuProf') throw new Error(`unknown option ${flag}`);
    if (!Number.isFinite(number) || number <= 0) throw new Error(`${flag} needs a positive number`);
    (settings as unknown as Record<string, number>)[key] = number;
  }
  if (eventsPerVisitor(settings.duration, settings.eventsPerVisitorPerMin) < 3)
    throw new Error('each visitor needs 3+ events in the steady phase: duration × events per minute ≥ 180');
  return settings;
}

/**
 * The per-address limits for the run (all visitors share one address): `track` at twice the whole
 * run's rate, and a socket for every visitor.
 */
function loadLimits(settings: Settings): Pick<Limits, 'trackPerIp' | 'maxSocketsPerAddress'> {
  const rate = (settings.visitors * settings.eventsPerVisitorPerMin) / 60;
  const perSecond = Math.max(DEFAULT_LIMITS.trackPerIp.perSecond, Math.ceil(rate * 2));
  return {
    trackPerIp: { perSecond, burst: Math.max(DEFAULT_LIMITS.trackPerIp.burst, perSecond * 2) },
    maxSocketsPerAddress: Math.max(DEFAULT_LIMITS.maxSocketsPerAddress, settings.visitors * 2),
  };
}

/** CPU ticks used so far by a process, and its current and peak resident memory in bytes. */
function processStats(pid: number): { ticks: number; rss: number; peakRss: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the command name.
  return { ticks: Number(fields[11]) + Number(fields[12]), rss: kb('VmRSS'), peakRss: kb('VmHWM') };
}

/** Busy and total CPU ticks of the whole machine, all cores. */
function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((sum, value) => sum + value, 0);
  return { busy: total - cpu[3]! - (cpu[4] ?? 0), total };
}

/** Server, Redis and machine CPU figures at one instant. */
function sample(serverPid: number, redisPid: number) {
  return { server: processStats(serverPid), redis: processStats(redisPid), machine: machineTicks() };
}

async function redisMemory(url: string): Promise<{ usedPeak: number; rss: number }> {
  const client = new Redis(url);
  try {
    const info = await client.info('memory');
    const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
    return { usedPeak: field('used_memory_peak'), rss: field('used_memory_rss') };
  } finally {
    client.disconnect();
  }
}

/** Resolves with each generator's next message of `type`. */
function collect<T extends FromGenerator['type']>(
  children: ChildProcess[],
  type: T,
): Promise<Array<Extract<FromGenerator, { type: T }>>> {
  return Promise.all(
    children.map(
      (child) =>
        new Promise<Extract<FromGenerator, { type: T }>>((done, fail) => {
          const onMessage = (message: FromGenerator) => {
            if (message.type !== type) return;
            child.off('message', onMessage);
            done(message as Extract<FromGenerator, { type: T }>);
          };
          child.on('message', onMessage);
          child.once('exit', (code) => fail(new Error(`a load generator exited with ${code}`)));
        }),
    ),
  );
}

/**
 * The server's own view of push latency (its `personalize_push_latency_seconds` histogram, from
 * the commit of a change to the frame handed to the socket): the share of pushes within each
 * bucket bound, so the server's part of the tail can be told from the generators'.
 */
async function serverPushShares(port: number): Promise<Map<number, number>> {
  const response = await fetch(`http://127.0.0.1:${port}/personalize/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  const text = await response.text();
  const count = Number(/^personalize_push_latency_seconds_count (\d+)/m.exec(text)?.[1] ?? 0);
  const shares = new Map<number, number>();
  for (const [, le, n] of text.matchAll(/^personalize_push_latency_seconds_bucket\{le="([\d.]+)"\} (\d+)/gm))
    shares.set(Number(le), count > 0 ? Number(n) / count : NaN);
  return shares;
}

async function startServer(settings: Settings, redisUrl: string, port: number): Promise<ChildProcess> {
  const profiling = settings.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', settings.cpuProf] : [];
  const child = fork(compiled('server/standalone.js'), [], {
    execArgv: [...SERVER_NODE_FLAGS, ...profiling],
    env: {
      ...process.env,
      PORT: String(port),
      REDIS_URL: redisUrl,
      CONTENT_DIR: CONTENT,
      TOKEN_SECRETS: SECRET,
      IDENTITY_SECRETS: 'bench-identity-assertion-secret-0123456789',
      NODE_ENV: 'production',
      LIMITS: JSON.stringify(loadLimits(settings)),
      METRICS_TOKEN,
    },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  await new Promise<void>((done, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (String(chunk).includes('listening on')) done();
    });
    child.once('exit', (code) => fail(new Error(`standalone server exited with ${code}`)));
  });
  return child;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** The generators' figures added up (latency lists concatenated and sorted). */
function merge(results: GeneratorResult[]): GeneratorResult {
  const total = { ...results[0]! };
  for (const result of results.slice(1))
    for (const key of Object.keys(total) as Array<keyof GeneratorResult>) {
      const value = result[key];
      if (Array.isArray(value)) (total[key] as unknown[]) = [...(total[key] as unknown[]), ...value];
      else (total[key] as number) += value;
    }
  for (const key of ['pushMs', 'trackMs', 'queryMs', 'lagMs'] as const) total[key].sort((a, b) => a - b);
  total.errorSamples = total.errorSamples.slice(0, 10);
  return total;
}

const ms = (sorted: number[], p: number) => percentile(sorted, p).toFixed(1);
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

export async function run(args: string[]): Promise<void> {
  const settings = parse(args);
  const limits = loadLimits(settings).trackPerIp;
  const redis = await spawnRedis();
  let server: ChildProcess | null = null;
  const children: ChildProcess[] = [];
  try {
    const port = await freePort();
    server = await startServer(settings, redis.url, port);
    for (let index = 0; index < settings.generators; index++)
      children.push(fork(GENERATOR, [], { execArgv: ['--import', 'tsx'] }));
    const run = Date.now().toString(36);
    const share = Math.ceil(settings.visitors / children.length);
    const ready = collect(children, 'ready');
    children.forEach((child, index) => {
      const first = index * share;
      const setup: GeneratorSetup = {
        httpUrl: `http://127.0.0.1:${port}/personalize/graphql`,
        wsUrl: `ws://127.0.0.1:${port}/personalize/graphql`,
        secret: SECRET,
        first,
        count: Math.max(0, Math.min(share, settings.visitors - first)),
        run,
        durationS: settings.duration,
        eventsPerMin: settings.eventsPerVisitorPerMin,
        queriesPerMin: settings.queriesPerVisitorPerMin,
        connectBatch: 100,
        maxSockets: 50,
        drainMs: 5000,
      };
      child.send({ type: 'setup', setup } satisfies ToGenerator);
    });
    const ramp = await ready;
    const connected = ramp.reduce((sum, r) => sum + r.connected, 0);
    console.log(
      `load: ${connected}/${settings.visitors} visitors connected with a live subscription each in ` +
        `${Math.max(...ramp.map((r) => r.rampSeconds)).toFixed(1)} s (${settings.generators} generator processes, ` +
        `batches of 100 handshakes per generator; not measured)`,
    );
    console.log(
      `load: server limits for this run: trackPerIp raised from burst ${DEFAULT_LIMITS.trackPerIp.burst}, ` +
        `${DEFAULT_LIMITS.trackPerIp.perSecond}/s to burst ${limits.burst}, ${limits.perSecond}/s ` +
        `(every visitor comes from 127.0.0.1; twice the run's track rate) and maxSocketsPerAddress to ` +
        `${loadLimits(settings).maxSocketsPerAddress}, set through the standalone ` +
        `server's LIMITS; all other limits are the defaults (trackPerProfile burst ` +
        `${DEFAULT_LIMITS.trackPerProfile.burst}, ${DEFAULT_LIMITS.trackPerProfile.perSecond}/s per visitor)`,
    );
    const warmed = collect(children, 'warmed');
    for (const child of children) child.send({ type: 'warm' } satisfies ToGenerator);
    await warmed;
    await sleep(1000);

    const startAt = Date.now() + 500;
    const results = collect(children, 'result');
    for (const child of children) child.send({ type: 'start', at: startAt } satisfies ToGenerator);
    // Resources are sampled at the bounds of the steady phase, not over the drain after it.
    await sleep(startAt - Date.now());
    const before = { load: loadavg()[0]!, ...sample(server.pid!, redis.process.pid!) };
    await sleep(settings.duration * 1000);
    const after = { load: loadavg()[0]!, ...sample(server.pid!, redis.process.pid!) };
    const totals = merge((await results).map((message) => message.result));
    const redisMem = await redisMemory(redis.url);
    const serverShares = await serverPushShares(port);
    const within = (le: number) => `${((serverShares.get(le) ?? NaN) * 100).toFixed(1)}%`;
    const seconds = settings.duration;
    const cpu = (key: 'server' | 'redis') =>
      Math.round(((after[key].ticks - before[key].ticks) / TICKS_PER_SECOND / seconds) * 100);
    const machineBusy = Math.round(
      ((after.machine.busy - before.machine.busy) / (after.machine.total - before.machine.total)) * 100,
    );

    const errors =
      totals.failedRequests +
      totals.wrongOutcomes +
      totals.refusedSockets +
      totals.socketCloses +
      totals.missedPushes +
      totals.unexpectedPushes;
    const eventsPerSecond = totals.tracks / seconds;
    const queriesPerSecond = totals.queries / seconds;
    const pushP50 = percentile(totals.pushMs, 50);
    const pushP99 = percentile(totals.pushMs, 99);
    const rows: Array<[string, string]> = [
      [
        'rates per visitor',
        `${settings.eventsPerVisitorPerMin} events/min, ${settings.queriesPerVisitorPerMin} queries/min for ${seconds} s`,
      ],
      ['events/s (one per track call)', eventsPerSecond.toFixed(1)],
      ['queries/s', queriesPerSecond.toFixed(1)],
      ['pushes received / expected', `${totals.pushMs.length} / ${totals.expectedPushes}`],
      [
        'event-to-push p50 / p99 / max',
        `${ms(totals.pushMs, 50)} / ${ms(totals.pushMs, 99)} / ${ms(totals.pushMs, 100)} ms`,
      ],
      [
        'server side: commit to socket',
        `${within(0.01)} of pushes within 10 ms, ${within(0.05)} within 50 ms, ${within(0.25)} within 250 ms`,
      ],
      [
        'track answers without their change',
        `${totals.racedOutcomes} (a page query of the same visitor committed it first; pushed all the same)`,
      ],
      ['track latency p50 / p99', `${ms(totals.trackMs, 50)} / ${ms(totals.trackMs, 99)} ms`],
      ['query latency p50 / p99', `${ms(totals.queryMs, 50)} / ${ms(totals.queryMs, 99)} ms`],
      [
        'errors',
        `${errors} (failed requests ${totals.failedRequests}, wrong track outcomes ${totals.wrongOutcomes}, ` +
          `refused sockets ${totals.refusedSockets}, socket closes ${totals.socketCloses}, ` +
          `missed pushes ${totals.missedPushes}, unexpected pushes ${totals.unexpectedPushes})`,
      ],
      [
        'server process',
        `CPU ${cpu('server')}% of a core; RSS peak ${mb(after.server.peakRss)} MB, ` +
          `${mb(after.server.rss)} MB at the end`,
      ],
      [
        'redis-server',
        `CPU ${cpu('redis')}% of a core; used_memory_peak ${mb(redisMem.usedPeak)} MB, ` +
          `used_memory_rss ${mb(redisMem.rss)} MB, process RSS peak ${mb(after.redis.peakRss)} MB`,
      ],
      [
        'generators',
        `CPU ${Math.round((totals.cpuMs / 1000 / seconds) * 100)}% of a core in all; ` +
          `schedule lag p99 ${ms(totals.lagMs, 99)} ms, max ${ms(totals.lagMs, 100)} ms`,
      ],
      [
        'machine',
        `CPU busy ${machineBusy}% of ${cpus().length} cores; ` +
          `load average ${before.load.toFixed(2)} at the start, ${after.load.toFixed(2)} at the end`,
      ],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
    for (const sample of totals.errorSamples) console.log(`  error: ${sample}`);
    console.log(
      JSON.stringify({
        bench: 'load',
        visitors: settings.visitors,
        events_per_s: Math.round(eventsPerSecond),
        queries_per_s: Math.round(queriesPerSecond),
        push_p50_ms: Number(pushP50.toFixed(2)),
        push_p99_ms: Number(pushP99.toFixed(2)),
        server_push_within_50ms_pct: Number(((serverShares.get(0.05) ?? NaN) * 100).toFixed(1)),
        errors,
        server_peak_rss_mb: mb(after.server.peakRss),
        duration_s: seconds,
      }),
    );
  } finally {
    for (const child of children) {
      if (child.exitCode !== null) continue;
      const exited = new Promise((done) => child.once('exit', done));
      child.send({ type: 'stop' } satisfies ToGenerator);
      await exited;
    }
    if (server && server.exitCode === null) {
      const exited = new Promise((done) => server!.once('exit', done));
      server.kill('SIGTERM');
      await exited;
    }
    await redis.stop();
  }
}
