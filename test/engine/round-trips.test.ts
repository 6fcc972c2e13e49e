/**
 * "Ingest of one event is one round trip to Redis in the common case (no membership change)":
 * counted on the wire, by observing every command our own client sends.
 */
import Redis from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Harness, quietLogger, uid, view } from '../store/harness';
import { assemblePersonalizer } from '../../engine/personalizer';
import { handRules } from '../store/hand-rules';

const client = new Redis(inject('redisUrl'));
const sent: string[] = [];
const send = client.sendCommand.bind(client);
client.sendCommand = (command, stream) => {
  sent.push(command.name);
  return send(command, stream);
};
const keyPrefix = new Harness({ kind: 'memory' }).keyPrefix;
afterAll(() => client.disconnect());

it('stores an event that changes no membership in one round trip; an entry adds a schedule, a commit and an index write', async () => {
  const rules = handRules({ windowMs: 60_000, threshold: 3, deadlineMs: 60_000 });
  const engine = await assemblePersonalizer(rules, () => rules, {
    redis: client,
    keyPrefix,
    logger: quietLogger,
  });
  const profile = uid('anon');
  const now = Date.now();
  const counted = async (action: () => Promise<unknown>) => {
    sent.length = 0;
    await action();
    return [...sent];
  };
  // A new profile: its first event records the rules version in the same script.
  expect(await counted(() => engine.track(profile, [view(now - 3)]))).toEqual(['evalsha']);
  expect(await counted(() => engine.track(profile, [view(now - 2), view(now - 1)]))).toEqual(['evalsha']);
  // The 4th view enters the segment: ingest, schedule the exit (ZADD LT), commit + announce, then
  // record the membership in the membership index (another slot, so another script).
  expect(await counted(() => engine.track(profile, [view(now)]))).toEqual([
    'evalsha',
    'zadd',
    'evalsha',
    'evalsha',
  ]);
  // A 5th view extends the membership: its exit is later than the scheduled one, nothing to write.
  expect(await counted(() => engine.track(profile, [view(now + 1)]))).toEqual(['evalsha']);
  await engine.close();
});
