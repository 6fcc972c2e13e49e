/**
 * `npm run bench -- strapi [--duration 10] [--connections 10]`: in one Strapi process with the demo
 * content seeded, our personalized GraphQL query against Strapi's own REST API, for the same
 * entries (the home page banners), with the same connections and duration (autocannon).
 *
 *   ours:   POST /personalize/graphql  { banners(filters: { placement: { eq: "home" } }) { title body theme } }
 *           as a visitor (profile token) who is in a segment, so the answer is really personalized
 *   Strapi: GET /api/banners?filters[placement][$eq]=home&fields=title,body,theme,segments
 *           with a read-only API token (the visitor would then have to pick a variant itself)
 *
 * Strapi runs in a child process (bench/_strapi-server.ts) on a private redis-server and a
 * temporary SQLite database, so the load generator never competes with it for an event loop.
 * Ends with `{"bench":"strapi","ours_req_per_s":A,"strapi_rest_req_per_s":B,"ratio":A/B}`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { spawnRedis } from '../test/setup/redis-server';

interface Options {
  durationS: number;
  connections: number;
}

function parseArgs(args: string[]): Options {
  const options: Options = { durationS: 10, connections: 10 };
  for (let index = 0; index < args.length; index += 2) {
    const [flag, value] = [args[index], Number(args[index + 1])];
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} needs a positive integer`);
    if (flag === '--duration') options.durationS = Math.min(value, 60);
    else if (flag === '--connections') options.connections = value;
    else throw new Error(`unknown option ${flag} (--duration S, --connections N)`);
  }
  return options;
}

export async function run(args: string[]): Promise<void> {
  const options = parseArgs(args);
  const redis = await spawnRedis();
  const dataDir = mkdtempSync(join(tmpdir(), 'personalize-bench-strapi-'));
  let child: ChildProcess | undefined;
  try {
    const started = await startStrapi(redis.url, join(dataDir, 'data.db'));
    child = started.child;
    const base = `http://127.0.0.1:${started.port}`;
    const visitor = await personalizedVisitor(base);

    const ours = {
      url: `${base}/personalize/graphql`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${visitor.token}` },
      body: JSON.stringify({
        query: '{ banners(filters: { placement: { eq: "home" } }) { title body theme } }',
      }),
    };
    const rest = {
      url: `${base}/api/banners?filters[placement][$eq]=home&fields[0]=title&fields[1]=body&fields[2]=theme&fields[3]=segments`,
      method: 'GET' as const,
      headers: { authorization: `Bearer ${started.apiToken}` },
    };
    const oursSample = await (await fetch(ours.url, ours)).json();
    const restSample = (await (await fetch(rest.url, rest)).json()) as { data: unknown[] };
    console.log(`visitor segments: ${visitor.segments.join(', ')}`);
    console.log(`ours returns: ${JSON.stringify(oursSample)}`);
    console.log(`Strapi REST returns ${restSample.data.length} home banners (every variant)`);

    const oursResult = await load('personalize GraphQL', ours, options);
    const restResult = await load('Strapi REST', rest, options);
    const ratio = oursResult / restResult;
    console.log(
      JSON.stringify({
        bench: 'strapi',
        ours_req_per_s: Math.round(oursResult),
        strapi_rest_req_per_s: Math.round(restResult),
        ratio: Math.round(ratio * 100) / 100,
      }),
    );
  } finally {
    child?.kill('SIGTERM');
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Starts bench/_strapi-server.ts and waits for its ready line. */
function startStrapi(
  redisUrl: string,
  databaseFile: string,
): Promise<{ child: ChildProcess; port: number; apiToken: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '_strapi-server.ts')], {
    env: { ...process.env, REDIS_URL: redisUrl, DATABASE_FILENAME: databaseFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Strapi did not start within 120 s')), 120_000);
    child.once('exit', (code) => reject(new Error(`Strapi exited with code ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{"port"')) return;
      clearTimeout(timer);
      const ready = JSON.parse(line) as { port: number; apiToken: string };
      resolve({ child, ...ready });
    });
  });
}

/** A session whose visitor is in the seed's `breaking-news` segment (4 news articles read). */
async function personalizedVisitor(base: string): Promise<{ token: string; segments: string[] }> {
  const post = async (query: string, variables: Record<string, unknown>, token?: string) => {
    const response = await fetch(`${base}/personalize/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as {
      data: Record<string, { token?: string; segments?: Array<{ key: string }> }>;
    };
  };
  const session = await post('mutation { startSession { token } }', {});
  const token = session.data.startSession!.token!;
  const events = [1, 2, 3, 4].map((n) => ({
    id: `bench-${n}`,
    type: 'Article Viewed',
    properties: { category: 'news' },
  }));
  const tracked = await post(
    'mutation($events: [EventInput!]!) { track(events: $events) { segments { key } } }',
    { events },
    token,
  );
  return { token, segments: (tracked.data.track!.segments ?? []).map((segment) => segment.key) };
}

/** Runs autocannon against one request for the configured duration (after a short warm-up). */
async function load(
  name: string,
  request: { url: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
  options: Options,
): Promise<number> {
  await autocannon({ ...request, connections: options.connections, duration: 1 });
  const result = await autocannon({
    ...request,
    connections: options.connections,
    duration: options.durationS,
  });
  const failed = result.errors + result.non2xx;
  console.log(
    `${name}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${failed} failed of ${result.requests.total}`,
  );
  if (failed > 0) throw new Error(`${name}: ${failed} requests failed`);
  return result.requests.average;
}
