/**
 * `npm run bench -- query [--seconds 10] [--connections 50] [--visitors 200]`
 *
 * Personalized query throughput of the standalone server (`server/standalone.ts`, compiled, as
 * a child process; see support/compiled.ts) on a realistic snapshot generated from the fixtures'
 * content model: 400 banners over 8 placements (one fallback and several segment variants each,
 * 2 locales), 2,000 articles, and a home page of 40 tagged blocks with a 20-question FAQ. Visitors
 * get real sessions and events first, so their memberships differ; every request is a home-page
 * query as a storefront sends it (best banner variant, filtered blocks, a filtered article list)
 * with one of the visitors' tokens, on a private redis-server.
 *
 * Ends with `{"bench":"query","req_per_s":N,"p99_ms":B}`.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, spawnRedis } from '../test/setup/redis-server';
import { compiled } from './support/compiled';

const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'content');
const SEGMENTS = ['reader', 'breaking-news', 'vip'];
const QUERY = `query Home {
  banner(placement: home) { documentId title body ctaUrl image { url width height } personalization { segment } }
  homePage {
    title
    blocks {
      __typename
      ... on ComponentBlocksHero { title subtitle image { url } personalization { segment } }
      ... on ComponentBlocksPromo { title text price ctaUrl personalization { segment } }
      ... on ComponentBlocksArticleList { title category articles { slug title } }
    }
    faqs { question answer }
  }
  articles(filters: { category: { eq: "news" } }, limit: 10) { slug title summary cover { url } personalization { segment } }
}`;

interface Settings {
  seconds: number;
  connections: number;
  visitors: number;
}

function parse(args: string[]): Settings {
  const settings: Settings = { seconds: 10, connections: 50, visitors: 200 };
  for (let index = 0; index < args.length; index += 2) {
    const [flag, value] = [args[index], Number(args[index + 1])];
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} needs a positive number`);
    if (flag === '--seconds') settings.seconds = value;
    else if (flag === '--connections') settings.connections = value;
    else if (flag === '--visitors') settings.visitors = value;
    else throw new Error(`unknown option ${flag}`);
  }
  return settings;
}

const image = (name: string) => ({
  url: `/uploads/${name}.jpg`,
  name: `${name}.jpg`,
  width: 1200,
  height: 400,
  mime: 'image/jpeg',
});
const tags = (index: number) => (index % 4 === 0 ? [] : [SEGMENTS[index % SEGMENTS.length]!]);

/** The realistic snapshot: documents.json over the fixtures' model. */
export function writeContent(directory: string): void {
  cpSync(FIXTURES, directory, { recursive: true });
  const published = { publishedAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
  const placements = ['home', 'article', 'checkout'];
  const banners = [];
  for (let index = 0; index < 400; index++)
    for (const locale of ['en', 'fr'])
      banners.push({
        documentId: `banner-${index}`,
        locale,
        ...published,
        placement: placements[index % placements.length],
        title: `Banner ${index} (${locale})`,
        body: `Body of banner ${index}`.repeat(5),
        ctaUrl: `/offers/${index}`,
        weight: index,
        image: image(`banner-${index}`),
        segments: tags(index),
      });
  const categories = ['news', 'sport', 'tech'];
  const articles = Array.from({ length: 2000 }, (_, index) => ({
    documentId: `article-${index}`,
    locale: null,
    ...published,
    title: `Article ${index}`,
    slug: `article-${index}`,
    category: categories[index % categories.length],
    summary: `Summary of article ${index}. `.repeat(4),
    cover: image(`article-${index}`),
    segments: index % 5 === 0 ? tags(index) : [],
  }));
  const blocks = Array.from({ length: 40 }, (_, index) =>
    index % 3 === 0
      ? {
          __component: 'blocks.hero',
          id: index,
          title: `Hero ${index}`,
          subtitle: 'Subtitle',
          image: image(`hero-${index}`),
          segments: tags(index),
        }
      : index % 3 === 1
        ? {
            __component: 'blocks.promo',
            id: index,
            title: `Promo ${index}`,
            text: 'Offer',
            price: index,
            ctaUrl: '/p',
            segments: tags(index),
          }
        : {
            __component: 'blocks.article-list',
            id: index,
            title: `List ${index}`,
            category: 'news',
            articles: articles
              .slice(index, index + 5)
              .map(({ documentId, slug, title, segments }) => ({ documentId, slug, title, segments })),
          },
  );
  const faqs = Array.from({ length: 20 }, (_, index) => ({
    id: index,
    question: `Question ${index}?`,
    answer: 'Answer.',
    segments: tags(index),
  }));
  const homes = ['en', 'fr'].map((locale) => ({
    documentId: 'home',
    locale,
    ...published,
    title: 'Home',
    blocks,
    faqs,
  }));
  writeFileSync(
    join(directory, 'documents.json'),
    JSON.stringify({
      'api::banner.banner': banners,
      'api::article.article': articles,
      'api::home-page.home-page': homes,
    }),
  );
}

async function post(
  url: string,
  query: string,
  variables: object,
  token?: string,
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

export async function run(args: string[]): Promise<void> {
  const settings = parse(args);
  const redis = await spawnRedis();
  const contentDir = mkdtempSync(join(tmpdir(), 'pz-query-'));
  writeContent(contentDir);
  const port = await freePort();
  const secret = 'bench-secret-0123456789-abcdefghijklmnop';
  const child = fork(compiled('server/standalone.js'), [], {
    execArgv: [],
    env: {
      ...process.env,
      PORT: String(port),
      REDIS_URL: redis.url,
      CONTENT_DIR: contentDir,
      TOKEN_SECRETS: secret,
      IDENTITY_SECRETS: 'bench-identity-assertion-secret-0123456789',
      NODE_ENV: 'production',
      // Every visitor starts its session from 127.0.0.1: the per-address session limit is widened.
      LIMITS: JSON.stringify({ startSessionPerIp: { burst: 100_000, perSecond: 100_000 } }),
    },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        if (String(chunk).includes('listening on')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`standalone server exited with ${code}`)));
    });
    const url = `http://127.0.0.1:${port}/personalize/graphql`;

    // Visitors with different memberships: some news readers, some keen readers, some neither.
    const tokens: string[] = [];
    for (let index = 0; index < settings.visitors; index++) {
      const { startSession } = (await post(url, 'mutation { startSession { token } }', {})) as {
        startSession: { token: string };
      };
      const views = index % 3 === 0 ? 0 : index % 3 === 1 ? 2 : 4;
      const events = Array.from({ length: views }, () => ({
        id: randomUUID(),
        type: 'Article Viewed',
        properties: { category: 'news' },
      }));
      if (events.length > 0)
        await post(
          url,
          'mutation($e: [EventInput!]!) { track(events: $e) { accepted } }',
          { e: events },
          startSession.token,
        );
      tokens.push(startSession.token);
    }
    // One request first, so a broken query fails loudly instead of being counted as throughput.
    await post(url, QUERY, {}, tokens[0]);
    const body = JSON.stringify({ query: QUERY, operationName: 'Home' });
    let next = 0;
    const result = await autocannon({
      url,
      connections: settings.connections,
      duration: settings.seconds,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => ({
            ...request,
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${tokens[next++ % tokens.length]}`,
            },
            body,
          }),
        },
      ],
    });
    const failed = result.non2xx + result.errors;
    console.log(
      `query: ${result.requests.total} requests in ${settings.seconds} s over ${settings.connections} connections, ` +
        `${settings.visitors} visitors, ${failed} failed; ${Math.round(result.requests.average)} req/s, ` +
        `latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms; ${Math.round(result.throughput.average / 1024)} KB/s`,
    );
    console.log(
      JSON.stringify({
        bench: 'query',
        req_per_s: Math.round(result.requests.average),
        p99_ms: result.latency.p99,
      }),
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(contentDir, { recursive: true, force: true });
    await redis.stop();
  }
}
