/**
 * Which profile store the demo runs on, in the order the issue asks: `REDIS_URL` when given, else a
 * Redis answering on the default local port, else the embedded in-process store (fine for a demo,
 * lost on restart, single instance).
 */
import Redis from 'ioredis';

export type StoreChoice =
  | { kind: 'redis'; url: string; source: 'REDIS_URL' | 'local' }
  | { kind: 'embedded'; why: 'asked' | 'no Redis answered' };

/** The default local Redis probed when no `REDIS_URL` is set. */
export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Decides the store; probes the local Redis with one PING (short timeout, no retries).
 * `DEMO_STORE=embedded` skips the probe (on a machine whose local Redis is not yours to use).
 */
export async function chooseStore(
  env: NodeJS.ProcessEnv = process.env,
  localUrl = LOCAL_REDIS_URL,
): Promise<StoreChoice> {
  if (env.REDIS_URL) return { kind: 'redis', url: env.REDIS_URL, source: 'REDIS_URL' };
  if (env.DEMO_STORE === 'embedded') return { kind: 'embedded', why: 'asked' };
  return (await answersPing(localUrl))
    ? { kind: 'redis', url: localUrl, source: 'local' }
    : { kind: 'embedded', why: 'no Redis answered' };
}

/** One line for the start-up banner. */
export function describeStore(choice: StoreChoice): string {
  if (choice.kind === 'embedded') {
    const why =
      choice.why === 'asked'
        ? 'DEMO_STORE=embedded'
        : `no REDIS_URL, no Redis answered at ${LOCAL_REDIS_URL}`;
    return `embedded in-process store (${why}; data is lost on exit)`;
  }
  return choice.source === 'REDIS_URL'
    ? `Redis at ${redact(choice.url)} (from REDIS_URL)`
    : `local Redis at ${choice.url}`;
}

async function answersPing(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined); // a refused connection is an answer ("no"), not a crash
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Hides a password in a Redis URL before printing it. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
