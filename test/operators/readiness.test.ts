/**
 * Health and readiness against a Redis this test owns and stops: readiness turns 503 (with a JSON
 * reason, and the Redis error counter moves) while Redis is away and 200 again once it is back on
 * the same port; liveness stays 200 throughout (an outage must not get instances restarted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRedis, type SpawnedRedis } from '../setup/redis-server';
import { eventually, OperatorStack, sample } from './support/stack';

const TOKEN = 'metrics-token-for-tests-0123456789';

describe('readiness follows Redis', () => {
  let redis: SpawnedRedis;
  let stack: OperatorStack;

  beforeAll(async () => {
    redis = await spawnRedis();
    stack = await OperatorStack.start({ redis: redis.url, metricsToken: TOKEN, readyTimeoutMs: 500 });
  });
  afterAll(async () => {
    await stack?.close();
    await redis?.stop();
  });

  const status = async (path: string): Promise<number> => (await stack.get(path)).status;

  it('is 503 while Redis is stopped and 200 once it is back', async () => {
    expect(await status('/personalize/ready')).toBe(200);
    expect(await (await stack.get('/personalize/ready')).json()).toEqual({ status: 'ready' });

    await redis.stop();
    const down = await stack.get('/personalize/ready');
    expect(down.status).toBe(503);
    expect(down.headers.get('cache-control')).toBe('no-store');
    const reason = (await down.json()) as { status: string; reason: string; message: string };
    expect(reason.status).toBe('unavailable');
    expect(['redis-error', 'redis-timeout']).toContain(reason.reason);
    // A fixed reason: no Redis address or error text for whoever asks.
    expect(JSON.stringify(reason)).not.toContain(String(redis.port));
    expect(await status('/personalize/health')).toBe(200);
    const metrics = await (await stack.get('/personalize/metrics', TOKEN)).text();
    expect(sample(metrics, 'personalize_redis_errors_total')).toBeGreaterThan(0);

    redis = await spawnRedis([], redis.port);
    await eventually('ready again', async () => (await status('/personalize/ready')) === 200);
    expect(await status('/personalize/health')).toBe(200);
  });
});
