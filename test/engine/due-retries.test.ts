/**
 * A due profile whose time-based re-evaluation keeps failing (here: a field of its Redis hash
 * that no longer parses) is retried with an exponential back-off and given up after the last
 * attempt, counted by the observer and logged without personal data; its next event, once the
 * data is sound again, puts it back on schedule. Real Redis, real clock, the real poller.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, expect, inject, it } from 'vitest';
import { createPersonalizer, type Personalizer, type RuleSetSource } from '../../engine';
import { RedisDueSet } from '../../engine/time/redis-due-set';
import { uid } from '../store/harness';

const redisUrl = inject('redisUrl');
const admin = new Redis(redisUrl);
const opened: Personalizer[] = [];
afterAll(async () => {
  await Promise.all(opened.map((personalizer) => personalizer.close()));
  admin.disconnect();
});

const rules: RuleSetSource = {
  segments: [
    {
      key: 'visitor',
      name: 'Visitor',
      priority: 1,
      enabled: true,
      rule: { count: 'page', within: '1s', is: { $gte: 1 } },
    },
  ],
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('backs off, gives up after the last attempt, and resumes on the next event', async () => {
  const keyPrefix = `t${randomUUID().slice(0, 8)}`;
  const failures: Array<{ at: number; gaveUp: boolean }> = [];
  const lines: string[] = [];
  const log =
    (level: string) =>
    (...args: unknown[]) =>
      lines.push(
        `${level} ${args.map((arg) => (arg instanceof Error ? `${arg.name}: ${arg.message}` : String(arg))).join(' ')}`,
      );
  const retry = { firstDelayMs: 100, maxDelayMs: 300, maxAttempts: 5 };
  const personalizer = await createPersonalizer({
    rules,
    redis: redisUrl,
    keyPrefix,
    pollIntervalMs: 20,
    // Long enough that the lease alone (the old behaviour) would retry once in this test at most.
    leaseMs: 10_000,
    dueRetry: retry,
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    observer: { onDueFailure: (gaveUp) => failures.push({ at: Date.now(), gaveUp }) },
  });
  opened.push(personalizer);
  const broken = uid('anon');
  const healthy = uid('anon');
  const dueSet = new RedisDueSet(admin, keyPrefix);
  const t0 = Date.now();
  for (const profile of [broken, healthy])
    await personalizer.track(profile, [
      { id: uid('e'), type: 'page', timestamp: t0, properties: {}, context: {} },
    ]);
  expect(await admin.zscore(dueSet.keyOf(broken), broken)).toBe(String(t0 + 1000));
  // The broken profile's stored data no longer decodes (a trait that is not JSON): every load throws.
  await admin.hset(`${keyPrefix}:{${broken}}:h`, 't:email', 'ann@example.com');
  await personalizer.start();

  const deadline = t0 + 1000 + 100 + 200 + 300 + 300 + 2_000;
  while (!failures.some((failure) => failure.gaveUp) && Date.now() < deadline) await sleep(20);
  expect(failures.map((failure) => failure.gaveUp)).toEqual([false, false, false, false, true]);
  // The first attempt at the due time, then each after its back-off (timers never fire early here;
  // slack for when each failure is observed, after the evaluation that failed: a busy machine).
  expect(failures[0]!.at).toBeGreaterThanOrEqual(t0 + 1000 - 5);
  const gaps = failures.slice(1).map((failure, index) => failure.at - failures[index]!.at);
  const expected = [100, 200, 300, 300];
  gaps.forEach((gap, index) => expect(gap, `gap ${index + 1}`).toBeGreaterThanOrEqual(expected[index]! - 25));
  // It stops: no entry left, no more attempts.
  expect(await admin.zscore(dueSet.keyOf(broken), broken)).toBeNull();
  expect(await admin.hexists(`${keyPrefix}:due-failures:{${dueSetPartition(dueSet, broken)}}`, broken)).toBe(
    0,
  );
  await sleep(800);
  expect(failures).toHaveLength(5);
  // The healthy profile left on time meanwhile: its stored memberships were rewritten by the poller.
  expect(await admin.hexists(`${keyPrefix}:{${healthy}}:h`, 'm:visitor')).toBe(0);
  // The log says what happened, and never whose profile it was.
  expect(lines.filter((line) => /^error .*\(attempt \d of 5/.test(line))).toHaveLength(5);
  expect(lines.some((line) => /^warn .*gave up .* after 5 failed attempts/.test(line))).toBe(true);
  expect(lines.some((line) => /attempt 1 of 5, retrying in \d+ ms/.test(line))).toBe(true);
  for (const line of lines) {
    expect(line).not.toContain(broken);
    // JSON.parse's message quotes the text it could not read: the stored trait.
    expect(line).not.toContain('example.com');
  }
  expect(lines.some((line) => line.includes('SyntaxError: (message withheld'))).toBe(true);

  // Repaired, the profile's next event evaluates it and puts it back on schedule, with a fresh count.
  await admin.hdel(`${keyPrefix}:{${broken}}:h`, 't:email');
  const t1 = Date.now();
  await personalizer.track(broken, [
    { id: uid('e'), type: 'page', timestamp: t1, properties: {}, context: {} },
  ]);
  expect(Number(await admin.zscore(dueSet.keyOf(broken), broken))).toBe(t1 + 1000);
  while (Date.now() < t1 + 1500 && (await admin.hexists(`${keyPrefix}:{${broken}}:h`, 'm:visitor')) === 1)
    await sleep(20);
  expect(await admin.hexists(`${keyPrefix}:{${broken}}:h`, 'm:visitor')).toBe(0);
  expect(failures).toHaveLength(5);
});

/** The partition number in a due-set key `<prefix>:due:{<n>}`. */
function dueSetPartition(dueSet: RedisDueSet, profileId: string): string {
  return /\{(\d+)\}$/.exec(dueSet.keyOf(profileId))![1]!;
}
