/** Bad options and an unreachable Redis fail clearly, and leave nothing running. */
import { expect, it } from 'vitest';
import { assemblePersonalizer } from '../../engine/assemble';
import { freePort } from '../setup/redis-server';
import { handRules } from '../store/hand-rules';
import { quietLogger } from '../store/harness';

const rules = handRules({ windowMs: 1000, threshold: 3, deadlineMs: 1000 });

it('rejects when Redis does not answer', async () => {
  const port = await freePort();
  const started = Date.now();
  await expect(
    assemblePersonalizer(rules, () => rules, { redis: `redis://127.0.0.1:${port}`, logger: quietLogger }),
  ).rejects.toThrow();
  expect(Date.now() - started).toBeLessThan(11_000);
});

it('refuses bad options', async () => {
  const make = (options: Parameters<typeof assemblePersonalizer>[2]) =>
    assemblePersonalizer(rules, () => rules, { logger: quietLogger, ...options });
  await expect(make({ keyPrefix: 'has{brace}' })).rejects.toThrow(/keyPrefix/);
  await expect(make({ anonymousTtlMs: -1 })).rejects.toThrow(/anonymousTtlMs/);
  await expect(make({ pollIntervalMs: 0 })).rejects.toThrow(/pollIntervalMs/);
  await expect(make({ redis: { nodes: [] } })).rejects.toThrow(/redis must be/);
});
