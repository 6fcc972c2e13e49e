/**
 * Property: whatever the sequence of `identify`, `track` and `forget` across several devices and
 * users (real Redis), each user's profile holds exactly that user's traits and the events sent
 * while a device was that user (or while it was anonymous, before signing in as that user), and
 * erasing one user never erases another. Each device holds what a client holds: its anonymous id
 * at first, then the user's profile id that `identify` gave it (the token identify returns).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { PersonalizerEngine } from '../../engine/personalizer';
import type { JsonObject } from '../../engine/types';
import { Harness, storeBounds, view } from './harness';

const DEVICES = 4;
const USERS = 3;

type Command =
  | { op: 'track'; device: number }
  | { op: 'identify'; device: number; user: number }
  | { op: 'forget'; device: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ op: fc.constant('track' as const), device: fc.nat(DEVICES - 1) }),
  fc.record({ op: fc.constant('identify' as const), device: fc.nat(DEVICES - 1), user: fc.nat(USERS - 1) }),
  fc.record({ op: fc.constant('forget' as const), device: fc.nat(DEVICES - 1) }),
);

const harness = new Harness({ kind: 'redis', url: inject('redisUrl') });
afterAll(() => harness.close());

describe('identify, track and forget across devices and users (property, Redis)', () => {
  it("never puts one user's traits or events in another's profile, nor erases another's", async () => {
    const engine = await harness.engine({ windowMs: 60_000, threshold: 3, deadlineMs: 60_000 });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 24 }), async (commands) => {
        run += 1;
        await check(engine, `r${run}-${Math.random().toString(36).slice(2, 8)}`, commands);
      }),
      { numRuns: 40 },
    );
  });
});

async function check(engine: PersonalizerEngine, tag: string, commands: Command[]): Promise<void> {
  const userId = (user: number) => `${tag}-u${user}`;
  /** What each device's token stands for now. */
  const devices = Array.from({ length: DEVICES }, (_, device) => `anon:${tag}-d${device}`);
  /** The model: event ids and traits each profile must hold. */
  const events = new Map<string, Set<string>>();
  const traits = new Map<string, JsonObject>();
  const eventsOf = (id: string) => events.get(id) ?? events.set(id, new Set()).get(id)!;
  let counter = 0;
  const now = Date.now();

  for (const step of commands) {
    counter += 1;
    const id = devices[step.device]!;
    if (step.op === 'track') {
      const eventId = `${tag}-e${counter}`;
      const outcome = await engine.track(id, [view(now - 1000 + counter, {}, eventId)]);
      expect(outcome.profileId).toBe(id);
      eventsOf(id).add(eventId);
    } else if (step.op === 'identify') {
      const user = userId(step.user);
      const into = `user:${user}`;
      const given = { who: user, step: counter };
      const { profile, merged } = await engine.identify(id, user, given);
      expect(profile.id).toBe(into);
      const anonymous = id.startsWith('anon:');
      expect(merged).toBe(anonymous);
      if (anonymous) {
        for (const eventId of eventsOf(id)) eventsOf(into).add(eventId);
        events.delete(id);
      }
      traits.set(into, { ...traits.get(into), ...given });
      devices[step.device] = into;
    } else {
      await engine.forget(id);
      events.delete(id);
      traits.delete(id);
    }
  }

  const context = {
    now: Date.now(),
    rulesVersion: engine.rules.version,
    streams: engine.rules.streams,
    dedupeWindowMs: 24 * 60 * 60 * 1000,
    maxEntriesPerStream: 10_000,
    ...storeBounds(),
  };
  const profiles = new Set([
    ...devices,
    ...Array.from({ length: USERS }, (_, user) => `user:${userId(user)}`),
  ]);
  for (const id of profiles) {
    const stored = await engine.store.exportProfile(id, context);
    const seen = new Set(stored?.seen.map(([eventId]) => eventId) ?? []);
    expect(stored === null || stored.id === id, id).toBe(true);
    expect([...seen].sort(), `events of ${id}`).toEqual([...(events.get(id) ?? [])].sort());
    const expected = traits.get(id) ?? {};
    expect(stored?.record.traits ?? {}, `traits of ${id}`).toEqual(expected);
    if (id.startsWith('user:') && traits.has(id)) expect(stored?.record.userId).toBe(id.slice(5));
  }
}
