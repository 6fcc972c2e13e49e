/**
 * The due-set protocol on both implementations: claims are exclusive while leased, a claim whose
 * poller died comes back when its lease ends, and a finish never overrides an earlier schedule
 * made meanwhile. Times are explicit arguments, so no clock is needed.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import Redis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { ClaimBatch, DueClaim, DueRetryPolicy, DueSet } from '../../engine/time/due-set';
import { MemoryDueSet } from '../../engine/time/memory-due-set';
import { RedisDueSet } from '../../engine/time/redis-due-set';
import { duePartition, DUE_PARTITIONS } from '../../engine/time/partition';

const client = new Redis(inject('redisUrl'));
const cluster = new Redis.Cluster(inject('redisClusterNodes'));
afterAll(() => {
  client.disconnect();
  cluster.disconnect();
});

const implementations: Array<[string, () => DueSet]> = [
  ['memory', () => new MemoryDueSet()],
  ['redis', () => new RedisDueSet(client, `t${randomUUID().slice(0, 8)}`)],
  // Each partition's keys share its hash tag: every script and MULTI stays on one slot.
  ['cluster', () => new RedisDueSet(cluster, `t${randomUUID().slice(0, 8)}`)],
];

describe.each(implementations)('due-set (%s)', (_name, make) => {
  it('hands a due profile to one poller at a time and back after a dead poller’s lease', async () => {
    const due = make();
    await due.schedule('a', 1000);
    await due.schedule('b', 5000);
    const first = await due.claim(1000, 300, 10);
    expect(first.claims.map((c) => c.profileId)).toEqual(['a']);
    expect(first.nextAt).toBe(5000);
    // A second poller at the same moment, and until the lease ends, gets nothing.
    expect((await due.claim(1000, 300, 10)).claims).toEqual([]);
    expect((await due.claim(1299, 300, 10)).claims).toEqual([]);
    // The first poller "died": when its lease ends, another one claims the profile.
    const second = await due.claim(1301, 300, 10);
    expect(second.claims.map((c) => c.profileId)).toEqual(['a']);
    // The dead poller's stale token no longer finishes anything; the live one does.
    expect(await due.finish(first.claims[0]!, null)).toBe(false);
    expect(await due.finish(second.claims[0]!, 9000)).toBe(true);
    expect((await due.claim(8999, 300, 10)).claims.map((c) => c.profileId)).toEqual(['b']);
    expect((await due.claim(9000, 300, 10)).claims.map((c) => c.profileId)).toEqual(['a']);
  });

  it('keeps an earlier time scheduled during a claim; never postpones on schedule', async () => {
    const due = make();
    await due.schedule('p', 1000);
    await due.schedule('p', 4000); // later: ignored
    const [claim] = (await due.claim(1000, 10_000, 10)).claims;
    expect(claim?.profileId).toBe('p');
    await due.schedule('p', 2000); // a new event while claimed: earlier than the lease end
    expect(await due.finish(claim!, 7000)).toBe(false);
    expect((await due.claim(1999, 100, 10)).claims).toEqual([]);
    expect((await due.claim(2000, 100, 10)).claims.map((c) => c.profileId)).toEqual(['p']);
  });

  it('backs a failing profile off exponentially, gives up after the last attempt, and starts afresh after a success', async () => {
    const due = make();
    const retry: DueRetryPolicy = { firstDelayMs: 100, maxDelayMs: 300, maxAttempts: 4 };
    await due.schedule('f', 1000);
    let now = 1000;
    const retries: number[] = [];
    for (let attempt = 1; attempt < 4; attempt++) {
      const [claim] = (await due.claim(now, 5000, 10)).claims;
      expect(claim?.profileId, `attempt ${attempt}`).toBe('f');
      const failure = await due.fail(claim!, now, retry);
      expect(failure).toMatchObject({ attempt, outcome: 'retry' });
      const retryAt = (failure as { retryAt: number }).retryAt;
      retries.push(retryAt - now);
      // Not claimable before the back-off ends (the lease no longer holds it either).
      expect((await due.claim(retryAt - 1, 5000, 10)).claims).toEqual([]);
      now = retryAt;
    }
    expect(retries).toEqual([100, 200, 300]);
    const [last] = (await due.claim(now, 5000, 10)).claims;
    expect(await due.fail(last!, now, retry)).toEqual({ attempt: 4, outcome: 'gave_up' });
    // Gone from the due-set: nothing is claimed again, however late.
    expect((await due.claim(now + 3_600_000, 5000, 10)).claims).toEqual([]);
    // A new event schedules it again, and the count starts from zero.
    await due.schedule('f', now + 10);
    const [again] = (await due.claim(now + 10, 5000, 10)).claims;
    expect(await due.fail(again!, now + 10, retry)).toMatchObject({ attempt: 1, outcome: 'retry' });
    // A success resets the count.
    const [retried] = (await due.claim(now + 110, 5000, 10)).claims;
    expect(await due.finish(retried!, now + 200)).toBe(true);
    const [after] = (await due.claim(now + 200, 5000, 10)).claims;
    expect(await due.fail(after!, now + 200, retry)).toMatchObject({ attempt: 1, outcome: 'retry' });
  });

  it('keeps an earlier time scheduled during a failing claim, counting the failure', async () => {
    const due = make();
    const retry: DueRetryPolicy = { firstDelayMs: 1000, maxDelayMs: 1000, maxAttempts: 3 };
    await due.schedule('g', 100);
    const [claim] = (await due.claim(100, 5000, 10)).claims;
    await due.schedule('g', 150); // a new event meanwhile
    expect(await due.fail(claim!, 120, retry)).toEqual({ attempt: 1, outcome: 'superseded' });
    const [next] = (await due.claim(150, 5000, 10)).claims;
    expect(next?.profileId).toBe('g');
    expect(await due.fail(next!, 150, retry)).toMatchObject({ attempt: 2, outcome: 'retry' });
    // Erasure forgets the count with the entry.
    await due.remove('g');
    await due.schedule('g', 5000);
    const [fresh] = (await due.claim(5000, 5000, 10)).claims;
    expect(await due.fail(fresh!, 5000, retry)).toMatchObject({ attempt: 1, outcome: 'retry' });
  });

  it('limits a claim (per partition) and says when more are due', async () => {
    const due = make();
    // Five ids of one partition, so the per-partition limit applies to all of them.
    const ids = Array.from({ length: 200 }, (_, i) => `m${i}`).filter(
      (id) => duePartition(id) === duePartition('m0'),
    );
    const [m0, m1, m2, m3, m4] = ids;
    for (const [i, id] of [m0, m1, m2, m3, m4].entries()) await due.schedule(id!, 100 + i);
    const batch = await due.claim(200, 1000, 2);
    expect(batch.claims.length).toBeGreaterThanOrEqual(2);
    expect(batch.more).toBe(true);
    const rest = await due.claim(200, 1000, 100);
    const all = new Set([...batch.claims, ...rest.claims].map((c) => c.profileId));
    expect(all.size).toBe(5);
    await due.remove(m0!);
    expect((await due.claim(5000, 1000, 100)).claims.map((c) => c.profileId).sort()).toEqual(
      [m1, m2, m3, m4].sort(),
    );
  });
});

it('spreads profiles over every partition, the same way in every process', () => {
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i += 1) seen.add(duePartition(`anon-${i}`));
  expect(seen.size).toBe(DUE_PARTITIONS);
  expect(duePartition('anon-42')).toBe(duePartition('anon-42'));
});

it('the embedded and the Redis due-sets agree on any sequence of operations', async () => {
  const op = fc.oneof(
    fc.record({
      kind: fc.constant('schedule' as const),
      id: fc.integer({ min: 0, max: 7 }),
      at: fc.integer({ min: 0, max: 500 }),
    }),
    fc.record({
      kind: fc.constant('claim' as const),
      advance: fc.integer({ min: 0, max: 200 }),
      lease: fc.integer({ min: 1, max: 300 }),
    }),
    fc.record({
      kind: fc.constant('finish' as const),
      pick: fc.nat(),
      next: fc.option(fc.integer({ min: 0, max: 800 })),
    }),
    fc.record({ kind: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 7 }) }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
      const memory = new MemoryDueSet();
      const redis = new RedisDueSet(client, `t${randomUUID().slice(0, 8)}`);
      let now = 0;
      const held: DueClaim[] = [];
      for (const step of ops) {
        if (step.kind === 'schedule') {
          await Promise.all([
            memory.schedule(`p${step.id}`, step.at),
            redis.schedule(`p${step.id}`, step.at),
          ]);
        } else if (step.kind === 'remove') {
          await Promise.all([memory.remove(`p${step.id}`), redis.remove(`p${step.id}`)]);
        } else if (step.kind === 'claim') {
          now += step.advance;
          const [a, b] = await Promise.all([
            memory.claim(now, step.lease, 1000),
            redis.claim(now, step.lease, 1000),
          ]);
          const ids = (batch: ClaimBatch) => batch.claims.map((c) => c.profileId).sort();
          expect(ids(a)).toEqual(ids(b));
          expect(a.nextAt).toBe(b.nextAt);
          held.push(...a.claims);
        } else if (held.length > 0) {
          const claim = held[step.pick % held.length]!;
          const [a, b] = await Promise.all([memory.finish(claim, step.next), redis.finish(claim, step.next)]);
          expect(a).toBe(b);
        }
      }
    }),
    { numRuns: 60 },
  );
});
