/**
 * `npm run bench -- push [--subs 1000,10000] [--events 1000] [--interval-ms 5]`
 *
 * Event-to-push latency and memory of live queries. A server process (this file, forked with
 * `--role=server`: the Personalizer on a private redis-server, the GraphQL server on node:http)
 * holds N WebSocket connections, one `live` subscription each, opened by this process with raw
 * `ws` sockets (one visitor per socket). Then `events` visitors, one at a time every `interval-ms`,
 * get an event through a second Personalizer on the same Redis (another instance, as in
 * production); each event makes its visitor enter a segment, which changes the banner its live
 * query selects. Latency runs from the `track` call to the push arriving on that visitor's socket.
 *
 * Memory per idle subscription: the server process's RSS (and heap) after a GC with all
 * subscriptions open and idle, minus the same before any socket was opened, divided by N.
 *
 * Prints one `{"bench":"push","subs":N,"p50_ms":A,"p99_ms":B,"kb_per_sub":K}` line per N; the
 * last line is the largest N.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import type * as JsonSourceModule from '../content/json-source';
import { createPersonalizer } from '../engine';
import type * as EngineModule from '../engine';
import type { RuleSetSource } from '../engine/types';
import type * as ServerModule from '../server';
import type * as NodeHttpModule from '../server/node-http';
import { TokenSigner } from '../server/tokens';
import { spawnRedis } from '../test/setup/redis-server';
import { compiled } from './support/compiled';

const SECRET = 'bench-secret-0123456789-abcdefghijklmnop';
const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'content');
const QUERY = 'subscription { live { banner(placement: home) { title personalization { segment } } } }';

/** One event of type `Bench Signal` makes a visitor a VIP (the banner has a VIP variant). */
const RULES: RuleSetSource = {
  segments: [
    {
      key: 'vip',
      name: 'VIP',
      priority: 50,
      enabled: true,
      rule: { count: { event: 'Bench Signal' }, within: '1h', is: { $gte: 1 } },
    },
  ],
};

interface Settings {
  subs: number[];
  events: number;
  intervalMs: number;
}

function parse(args: string[]): Settings {
  const settings: Settings = { subs: [1000, 10_000], events: 1000, intervalMs: 5 };
  for (let index = 0; index < args.length; index += 2) {
    const [flag, value] = [args[index], args[index + 1] ?? ''];
    if (flag === '--subs') settings.subs = value.split(',').map(Number);
    else if (flag === '--events') settings.events = Number(value);
    else if (flag === '--interval-ms') settings.intervalMs = Number(value);
    else throw new Error(`unknown option ${flag}`);
  }
  if (settings.subs.some((n) => !Number.isInteger(n) || n <= 0))
    throw new Error('--subs takes positive integers');
  return settings;
}

type ServerMessage = { type: 'ready'; port: number } | { type: 'memory'; rss: number; heap: number };

/** The server role: personalizer + GraphQL server; answers memory requests over IPC. */
async function serve(): Promise<void> {
  const redisUrl = process.env.BENCH_REDIS_URL!;
  // The measured server runs the compiled code, as production does (support/compiled.ts).
  const dist = process.env.BENCH_DIST!;
  const { JsonContentSource } = (await import(
    join(dist, 'content/json-source.js')
  )) as typeof JsonSourceModule;
  const { createPersonalizer } = (await import(join(dist, 'engine/index.js'))) as typeof EngineModule;
  const { createPersonalizeServer } = (await import(join(dist, 'server/index.js'))) as typeof ServerModule;
  const { nodeHttpHandler } = (await import(join(dist, 'server/node-http.js'))) as typeof NodeHttpModule;
  const contentDir = mkdtempSync(join(tmpdir(), 'pz-bench-'));
  cpSync(FIXTURES, contentDir, { recursive: true });
  const quiet = { info() {}, warn() {}, error: console.error };
  const personalizer = await createPersonalizer({
    rules: RULES,
    redis: redisUrl,
    keyPrefix: 'bench',
    logger: quiet,
  });
  await personalizer.start();
  const server = createPersonalizeServer({
    personalizer,
    content: new JsonContentSource(contentDir),
    tokens: { secrets: [SECRET] },
    identity: { secrets: ['bench-identity-secret-0123456789-abcdefgh'] },
    // Every socket comes from 127.0.0.1.
    limits: { connectionInitTimeoutMs: 60_000, maxSocketsPerAddress: 1_000_000 },
    logger: quiet,
  });
  await server.start();
  const http = createServer(nodeHttpHandler(server, '/personalize/graphql', 256 * 1024));
  server.attach(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const send = (message: ServerMessage) => process.send!(message);
  process.on('message', (message: { type: string }) => {
    if (message.type === 'memory') {
      for (let round = 0; round < 3; round++) global.gc?.();
      const usage = process.memoryUsage();
      send({ type: 'memory', rss: usage.rss, heap: usage.heapUsed });
    }
    if (message.type === 'stop') {
      void server
        .close()
        .then(() => personalizer.close())
        .then(() => {
          rmSync(contentDir, { recursive: true, force: true });
          process.exit(0);
        });
    }
  });
  send({ type: 'ready', port: (http.address() as AddressInfo).port });
}

function request<T extends ServerMessage['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<ServerMessage, { type: T }>> {
  return new Promise((resolve) => {
    const onMessage = (message: ServerMessage) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolve(message as Extract<ServerMessage, { type: T }>);
    };
    child.on('message', onMessage);
    if (type !== 'ready') child.send({ type });
  });
}

/** One visitor's socket: connection_init, one live subscription; `onPush` gets every push after the first. */
function openSubscriber(url: string, token: string, onPush: (data: string) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
    let first = true;
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { token } })));
    socket.on('message', (raw) => {
      const text = String(raw);
      const message = JSON.parse(text) as { type: string };
      if (message.type === 'connection_ack')
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: QUERY } }));
      else if (message.type === 'next') {
        if (first) {
          first = false;
          resolve(socket);
        } else onPush(text);
      } else if (message.type === 'error') reject(new Error(text));
    });
    socket.once('error', reject);
    socket.once('close', (code, reason) => {
      if (first) reject(new Error(`closed ${code} ${String(reason)}`));
    });
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measure(
  subs: number,
  settings: Settings,
  redisUrl: string,
): Promise<Record<string, number | string>> {
  const child = fork(__filename, ['--role=server'], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, BENCH_REDIS_URL: redisUrl, BENCH_DIST: compiled('') },
  });
  const sockets: WebSocket[] = [];
  const quiet = { info() {}, warn() {}, error: console.error };
  const tracker = await createPersonalizer({
    rules: RULES,
    redis: redisUrl,
    keyPrefix: 'bench',
    logger: quiet,
  });
  try {
    const { port } = await request(child, 'ready');
    const url = `ws://127.0.0.1:${port}/personalize/graphql`;
    const before = await request(child, 'memory');

    const tokens = new TokenSigner({ secrets: [SECRET], clock: { now: Date.now } });
    const run = `${Date.now().toString(36)}`;
    const profileIds = Array.from({ length: subs }, (_, index) => `anon:bench-${run}-${index}`);
    const waiting = new Map<string, (at: number) => void>();
    const opened = performance.now();
    const batch = 200;
    for (let start = 0; start < subs; start += batch) {
      const slice = profileIds.slice(start, start + batch);
      sockets.push(
        ...(await Promise.all(
          slice.map((id) =>
            openSubscriber(url, tokens.issue(id).token, () => {
              waiting.get(id)?.(performance.now());
            }),
          ),
        )),
      );
    }
    const openSeconds = (performance.now() - opened) / 1000;
    await sleep(500);
    const idle = await request(child, 'memory');
    const kbPerSub = (idle.rss - before.rss) / subs / 1024;
    const heapKbPerSub = (idle.heap - before.heap) / subs / 1024;

    const latencies: number[] = [];
    const events = Math.min(settings.events, subs);
    const step = Math.max(1, Math.floor(subs / events));
    const pending: Array<Promise<void>> = [];
    for (let index = 0; index < events; index++) {
      const id = profileIds[index * step]!;
      const started = performance.now();
      pending.push(
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            waiting.delete(id);
            resolve();
          }, 10_000);
          waiting.set(id, (at) => {
            clearTimeout(timer);
            waiting.delete(id);
            latencies.push(at - started);
            resolve();
          });
        }),
      );
      await tracker.track(id, [
        { id: `${id}-signal`, type: 'Bench Signal', timestamp: Date.now(), properties: {}, context: {} },
      ]);
      await sleep(settings.intervalMs);
    }
    await Promise.all(pending);
    latencies.sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(
      `push: ${subs} live subscriptions opened in ${openSeconds.toFixed(1)} s; ` +
        `idle memory per subscription ${kbPerSub.toFixed(1)} KB RSS (${heapKbPerSub.toFixed(1)} KB heap); ` +
        `${latencies.length}/${events} pushes received, event-to-push p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`,
    );
    return {
      bench: 'push',
      subs,
      p50_ms: Number(p50.toFixed(2)),
      p99_ms: Number(p99.toFixed(2)),
      kb_per_sub: Number(kbPerSub.toFixed(1)),
    };
  } finally {
    for (const socket of sockets) socket.terminate();
    await tracker.close();
    child.send({ type: 'stop' });
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

export async function run(args: string[]): Promise<void> {
  const settings = parse(args);
  const redis = await spawnRedis();
  try {
    const lines: string[] = [];
    for (const subs of settings.subs) lines.push(JSON.stringify(await measure(subs, settings, redis.url)));
    for (const line of lines) console.log(line);
  } finally {
    await redis.stop();
  }
}

if (require.main === module && process.argv.includes('--role=server')) {
  serve().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
