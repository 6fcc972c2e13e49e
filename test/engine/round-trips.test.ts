/**
 * "Ingest of one event is one round trip to Redis in the common case": counted on the wire, by
 * observing every command our own client sends, and every write to its socket.
 */
import Redis from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Harness, quietLogger, uid, view } from '../store/harness';
import { assemblePersonalizer } from '../../engine/assemble';
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

const rules = handRules({ windowMs: 60_000, threshold: 3, deadlineMs: 60_000 });

/** A Personalizer on the observed client ("more than 3 views within a minute" = reader). */
const start = () =>
  assemblePersonalizer(rules, () => rules, { redis: client, keyPrefix, logger: quietLogger });

/** Counts the commands sent by `action` and the writes that carried them to Redis. */
async function counted(action: () => Promise<unknown>): Promise<{ commands: string[]; writes: number }> {
  const socket = client.stream;
  const write = socket.write;
  let writes = 0;
  // A corked socket hands its batch to _writev once; an uncorked one calls _write per command.
  const { _write, _writev } = socket as unknown as Record<string, (...args: unknown[]) => unknown>;
  Object.assign(socket, {
    _write: (...args: unknown[]) => ((writes += 1), _write!.apply(socket, args)),
    _writev: (...args: unknown[]) => ((writes += 1), _writev!.apply(socket, args)),
  });
  sent.length = 0;
  try {
    await action();
  } finally {
    Object.assign(socket, { _write, _writev, write });
  }
  return { commands: [...sent], writes };
}

it('stores an event that changes no membership in one round trip, and one that changes one in one round trip too', async () => {
  const engine = await start();
  const profile = uid('anon');
  const now = Date.now();
  // Someone listens (an open page): this process keeps a copy of the profile.
  const subscription = engine.subscribe(profile, () => {});
  await subscription.ready;
  // A new profile: its first event records the rules version in the same script.
  expect((await counted(() => engine.track(profile, [view(now - 3)]))).commands).toEqual(['evalsha']);
  expect((await counted(() => engine.track(profile, [view(now - 2), view(now - 1)]))).commands).toEqual([
    'evalsha',
  ]);
  // The 4th view enters the segment. This process has a copy of the profile, so it evaluated the event
  // before sending it: the exit's schedule (ZADD LT) and the ingest that also commits and
  // announces the entry go out in one write; then the membership index (another slot).
  const entry = await counted(() => engine.track(profile, [view(now)]));
  expect(entry.commands).toEqual(['zadd', 'evalsha', 'evalsha']);
  expect(entry.writes).toBe(2);
  // A 5th view extends the membership: its exit is later than the scheduled one, nothing to write.
  expect((await counted(() => engine.track(profile, [view(now + 1)]))).commands).toEqual(['evalsha']);
  subscription();
  await engine.close();
});

it('writes nothing from a copy another process made stale: the entry stays the one that process committed', async () => {
  const [here, there] = await Promise.all([start(), start()]);
  const profile = uid('anon');
  const now = Date.now();
  const changes: string[][] = [];
  const subscription = here.subscribe(profile, (change) => changes.push(change.entered));
  await subscription.ready;
  await here.track(profile, [view(now - 3), view(now - 2), view(now - 1)]);
  // The 4th view arrives at the other process, which enters the segment.
  expect((await there.track(profile, [view(now)])).change?.entered).toEqual(['reader']);
  const since = (await there.getProfile(profile)).segments[0]?.since;
  // Here, a 5th view on the 3-view copy predicts that entry again: the ingest refuses it (the
  // version moved) and the profile it returns has nothing left to write.
  const fifth = await counted(() => here.track(profile, [view(now + 1)]));
  expect(fifth.commands).toEqual(['zadd', 'evalsha']);
  expect((await here.getProfile(profile)).segments.map((s) => [s.key, s.since])).toEqual([['reader', since]]);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(changes).toEqual([['reader']]);
  subscription();
  await Promise.all([here.close(), there.close()]);
});

it('keeps no copy of a profile nobody listens to here: its entry takes a second round trip', async () => {
  const engine = await start();
  const profile = uid('anon');
  const now = Date.now();
  await engine.track(profile, [view(now - 3), view(now - 2), view(now - 1)]);
  // Ingest, then schedule the exit and commit + announce the entry together, then the index.
  const entry = await counted(() => engine.track(profile, [view(now)]));
  expect(entry.commands).toEqual(['evalsha', 'zadd', 'evalsha', 'evalsha']);
  expect(entry.writes).toBe(3);
  expect((await engine.getProfile(profile)).segments.map((s) => s.key)).toEqual(['reader']);
  await engine.close();
});
