/**
 * The per-profile bounds' configuration and the context policy: what the compiled rules read of
 * the context, how a context is projected onto the kept paths, and that a bad limit is refused.
 */
import { describe, expect, it } from 'vitest';
import { compileRuleSet } from '../../engine/rules';
import {
  ContextPolicy,
  DEFAULT_CONTEXT_ALLOWANCE,
  DEFAULT_PROFILE_LIMITS,
  resolveProfileLimits,
} from '../../engine/store/limits';
import { assemblePersonalizer } from '../../engine/assemble';
import { handRules } from '../store/hand-rules';
import { quietLogger } from '../store/harness';

describe('the context paths of a compiled rule set', () => {
  it('lists every context field map path, and timezone for localTime and weekday', () => {
    const rules = compileRuleSet({
      segments: [
        {
          key: 'a',
          name: 'A',
          priority: 1,
          enabled: true,
          rule: {
            all: [
              { context: { 'device.type': 'mobile', locale: 'fr' } },
              { localTime: { from: '17:00', to: '23:00' } },
            ],
          },
        },
        {
          key: 'b',
          name: 'B',
          priority: 1,
          enabled: false,
          rule: { not: { context: { 'page.path': '/x' } } },
        },
        { key: 'c', name: 'C', priority: 1, enabled: true, rule: { traits: { plan: 'gold' } } },
      ],
    });
    expect(rules.contextPaths).toEqual(['device.type', 'locale', 'page.path', 'timezone']);
    const none = compileRuleSet({
      segments: [{ key: 'c', name: 'C', priority: 1, enabled: true, rule: { weekday: 'sat' } }],
    });
    expect(none.contextPaths).toEqual(['timezone']);
  });
});

describe('ContextPolicy', () => {
  const policy = new ContextPolicy(['device.type', 'device.os.name', 'page', 'page.path', 'tz'], 64);

  it('keeps the kept paths only, projected, and says which top-level keys it keeps', () => {
    expect(policy.keys).toEqual(['device', 'page', 'tz']);
    expect(policy.project('junk', 1)).toBeUndefined();
    expect(policy.project('device', { type: 'm', os: { name: 'ios', v: 1 }, model: 'x' })).toEqual({
      value: { type: 'm', os: { name: 'ios' } },
      json: '{"type":"m","os":{"name":"ios"}}',
    });
    // A whole value kept above a path keeps everything below it.
    expect(policy.project('page', { path: '/a', title: 't' })?.value).toEqual({ path: '/a', title: 't' });
    // None of the kept paths, a value that is not an object, or over the byte bound: delete.
    expect(policy.project('device', { model: 'x' })).toBeNull();
    expect(policy.project('device', 'mobile')).toBeNull();
    expect(policy.project('tz', 'é'.repeat(32))).toBeNull();
    expect(policy.project('tz', 'é'.repeat(30))?.json).toBe(JSON.stringify('é'.repeat(30)));
  });

  it('applies an event context onto a stored one as the stores do, and prunes other keys', () => {
    const stored = { device: { type: 'd' }, tz: 'UTC', old: 1 };
    policy.apply(stored, { device: { model: 'x' }, tz: 'CET', junk: 2 });
    expect(stored).toEqual({ tz: 'CET', old: 1 });
    policy.prune(stored);
    expect(stored).toEqual({ tz: 'CET' });
  });

  it('names its paths and bound in its fingerprint', () => {
    expect(new ContextPolicy(['b', 'a'], 64).fingerprint).toBe(new ContextPolicy(['a', 'b'], 64).fingerprint);
    expect(new ContextPolicy(['a'], 64).fingerprint).not.toBe(new ContextPolicy(['a'], 65).fingerprint);
  });
});

describe('resolveProfileLimits', () => {
  it('defaults, overrides, and refuses unknown names and bad values', async () => {
    expect(resolveProfileLimits(undefined)).toBe(DEFAULT_PROFILE_LIMITS);
    expect(DEFAULT_PROFILE_LIMITS).toMatchObject({
      maxTraits: 100,
      maxTraitBytes: 16 * 1024,
      maxSeenIds: 10_000,
      maxContextValueBytes: 2048,
      contextAllowance: DEFAULT_CONTEXT_ALLOWANCE,
    });
    expect(resolveProfileLimits({ maxTraits: 5 })).toMatchObject({ maxTraits: 5, maxSeenIds: 10_000 });
    expect(() => resolveProfileLimits({ maxTrait: 5 } as never)).toThrow(/unknown profile limit "maxTrait"/);
    expect(() => resolveProfileLimits({ maxSeenIds: 0 })).toThrow(/maxSeenIds must be a positive integer/);
    expect(() => resolveProfileLimits({ maxTraitBytes: 1.5 })).toThrow(/positive integer/);
    expect(() => resolveProfileLimits({ contextAllowance: ['a..b'] })).toThrow(/not a context path/);
    expect(() => resolveProfileLimits({ contextAllowance: ['__proto__.x'] })).toThrow(/not a context path/);
    // Validated when the Personalizer is built: a typo stops the start.
    await expect(
      assemblePersonalizer(
        handRules({ windowMs: 1000, threshold: 3, deadlineMs: 1000 }),
        () => {
          throw new Error('unused');
        },
        { logger: quietLogger, profileLimits: { maxTraits: -1 } },
      ),
    ).rejects.toThrow(/maxTraits must be a positive integer/);
  });

  it('a Personalizer keeps what its rules read plus the allowance, and refuses traits past the bound', async () => {
    const engine = await assemblePersonalizer(
      handRules({ windowMs: 60_000, threshold: 3, deadlineMs: 60_000 }),
      () => {
        throw new Error('unused');
      },
      { logger: quietLogger, profileLimits: { maxTraits: 2, contextAllowance: ['locale'] } },
    );
    try {
      await engine.track('anon-p1', [
        {
          id: 'e1',
          type: 'x',
          timestamp: Date.now(),
          properties: {},
          context: { device: { type: 'mobile', model: 'm' }, locale: 'fr', timezone: 'UTC' },
        },
      ]);
      const stored = await engine.store.load('anon-p1', {
        now: Date.now(),
        rulesVersion: 'hand-1',
        streams: engine.rules.streams,
        dedupeWindowMs: 1000,
        maxEntriesPerStream: 10,
        contextPolicy: new ContextPolicy([], 10),
        limits: DEFAULT_PROFILE_LIMITS,
      });
      expect(stored.context).toEqual({ device: { type: 'mobile' }, locale: 'fr' });
      await engine.setTraits('anon-p1', { a: 1, b: 2 });
      await expect(engine.setTraits('anon-p1', { c: 3 })).rejects.toMatchObject({
        name: 'ProfileLimitError',
        limit: 'maxTraits',
      });
      // A merge: the call's traits fit, the anonymous profile's do not all fit beside them: not copied.
      expect((await engine.identify('anon-p1', 'u1', { c: 3 })).profile.traits).toEqual({ c: 3 });
      // Repeated identify with new keys cannot grow traits past the bound.
      expect((await engine.identify('anon-p2', 'u1', { d: 4 })).profile.traits).toEqual({ c: 3, d: 4 });
      for (const key of ['e', 'f', 'g'])
        await expect(engine.identify(`anon-${key}`, 'u1', { [key]: 1 })).rejects.toMatchObject({
          limit: 'maxTraits',
          max: 2,
        });
      expect((await engine.getProfile('user:u1')).traits).toEqual({ c: 3, d: 4 });
    } finally {
      await engine.close();
    }
  });

  it('keeps what the rules in force read: after setRules, for the events stored from then on', async () => {
    const source = (path: string) => ({
      segments: [{ key: 's', name: 'S', priority: 1, enabled: true, rule: { context: { [path]: 'yes' } } }],
    });
    const engine = await assemblePersonalizer(compileRuleSet(source('a')), compileRuleSet, {
      logger: quietLogger,
      profileLimits: { contextAllowance: ['locale'] },
    });
    const track = (id: string, context: Record<string, string>) =>
      engine.track('anon-r1', [{ id, type: 'x', timestamp: Date.now(), properties: {}, context }]);
    const stored = async () =>
      (
        await engine.store.load('anon-r1', {
          now: Date.now(),
          rulesVersion: engine.rules.version,
          streams: [],
          dedupeWindowMs: 1000,
          maxEntriesPerStream: 10,
          contextPolicy: new ContextPolicy([], 10),
          limits: DEFAULT_PROFILE_LIMITS,
        })
      ).context;
    try {
      expect((await track('e1', { a: 'yes', b: 'yes', locale: 'fr' })).change?.entered).toEqual(['s']);
      expect(await stored()).toEqual({ a: 'yes', locale: 'fr' });
      engine.setRules(source('b'));
      // `b` was not kept when it was sent: the new rule matches from the next event on.
      expect((await engine.getProfile('anon-r1')).segments).toEqual([]);
      expect((await track('e2', { b: 'yes' })).change?.entered).toEqual(['s']);
      expect(await stored()).toEqual({ b: 'yes', locale: 'fr' });
    } finally {
      await engine.close();
    }
  });
});
