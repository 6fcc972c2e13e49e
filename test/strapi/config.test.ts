/**
 * The plugin's configuration: documented defaults applied, and a bad value refused at boot with a
 * message naming the option, both by the validator alone and by Strapi starting with it.
 */
import { describe, expect, inject, it } from 'vitest';
import { parsePluginConfig } from '../../plugin/server/config/schema';
import { bootStrapi } from './support/strapi-app';

const SECRET = 'a-profile-token-secret-of-32-chars!!';
const IDENTITY = { secrets: ['an-identity-assertion-secret-of-32!'] };

describe('plugin configuration', () => {
  it('applies the documented defaults', () => {
    expect(parsePluginConfig({ tokens: { secrets: [SECRET] }, identity: IDENTITY })).toEqual({
      keyPrefix: 'personalize:',
      path: '/personalize/graphql',
      tokens: { secrets: [SECRET] },
      identity: IDENTITY,
      ttl: { anonymousProfileMs: 30 * 24 * 60 * 60 * 1000, userProfileMs: 0 },
      trustProxy: false,
      cors: { origins: [] },
      serverApi: { rotationGraceMs: 60 * 60 * 1000 },
    });
  });

  it('validates the server API options', () => {
    expect(
      parsePluginConfig({
        tokens: { secrets: [SECRET] },
        identity: IDENTITY,
        serverApi: { ratePerKey: { burst: 10, perSecond: 5 }, maxBodyBytes: 4096, rotationGraceMs: 0 },
      }).serverApi,
    ).toEqual({ ratePerKey: { burst: 10, perSecond: 5 }, maxBodyBytes: 4096, rotationGraceMs: 0 });
    expect(() =>
      parsePluginConfig({
        tokens: { secrets: [SECRET] },
        identity: IDENTITY,
        serverApi: { ratePerkey: { burst: 10, perSecond: 5 }, rotationGraceMs: -1 },
      }),
    ).toThrow(/serverApi: Unrecognized key: "ratePerkey"|serverApi\.rotationGraceMs/);
  });

  it('accepts a Redis URL or cluster nodes, and limit overrides', () => {
    const config = parsePluginConfig({
      redis: { nodes: [{ host: '10.0.0.1', port: 7000 }] },
      tokens: { secrets: [SECRET] },
      identity: { jwks: 'https://login.example/.well-known/jwks.json', clientTraits: 'separate' },
      limits: { maxDepth: 8, trackPerIp: { burst: 100, perSecond: 10 } },
    });
    expect(config.redis).toEqual({ nodes: [{ host: '10.0.0.1', port: 7000 }] });
    expect(config.limits).toEqual({ maxDepth: 8, trackPerIp: { burst: 100, perSecond: 10 } });
  });

  it('accepts time overrides and names bad ones', () => {
    const time = { clockSkewWarnMs: 250, dueRetry: { maxAttempts: 3 } };
    expect(parsePluginConfig({ tokens: { secrets: [SECRET] }, identity: IDENTITY, time }).time).toEqual(time);
    expect(() =>
      parsePluginConfig({
        tokens: { secrets: [SECRET] },
        identity: IDENTITY,
        time: { clockSkewWarnMs: -1, dueRetry: { maxAtempts: 3, firstDelayMs: 0.5 } },
      }),
    ).toThrow(
      /time\.clockSkewWarnMs: .*\n.*time\.dueRetry\.firstDelayMs: .*\n.*time\.dueRetry: Unrecognized key: "maxAtempts"/,
    );
  });

  it('accepts per-profile bounds and the embedded store cap, and names a typo in them', () => {
    const config = parsePluginConfig({
      tokens: { secrets: [SECRET] },
      identity: IDENTITY,
      profileLimits: { maxTraits: 50, contextAllowance: ['device.type'] },
      embeddedStore: { maxProfiles: 1000 },
    });
    expect(config.profileLimits).toEqual({ maxTraits: 50, contextAllowance: ['device.type'] });
    expect(config.embeddedStore).toEqual({ maxProfiles: 1000 });
    expect(() =>
      parsePluginConfig({
        tokens: { secrets: [SECRET] },
        identity: IDENTITY,
        profileLimits: { maxTrait: 50, maxSeenIds: 0, contextAllowance: ['a..b'] },
        embeddedStore: { maxProfiles: -1 },
      }),
    ).toThrow(
      /profileLimits\.maxSeenIds: .*\n.*profileLimits\.contextAllowance\.0: must be a dot path.*\n.*profileLimits: Unrecognized key: "maxTrait"\n.*embeddedStore\.maxProfiles: /,
    );
  });

  it('names every bad option', () => {
    expect(() =>
      parsePluginConfig({
        redis: 'localhost:6379',
        tokens: { secrets: ['short'] },
        identity: { secrets: ['short'], clientTraits: 'trust', maxLifetimeSeconds: 86_400 },
        limits: { maxDepht: 3 },
        cors: { origins: ['https://shop.example/'] },
      }),
    ).toThrow(
      /redis: .*\n.*tokens\.secrets\.0: must be at least 32 characters\n.*identity\.secrets\.0: must be at least 32 characters\n.*identity\.maxLifetimeSeconds: .*\n.*identity\.clientTraits: .*\n.*limits: Unrecognized key: "maxDepht"\n.*cors\.origins\.0: must be an origin/,
    );
    expect(() => parsePluginConfig({})).toThrow(/tokens: .*\n.*identity: /);
    expect(() => parsePluginConfig({ tokens: { secrets: [SECRET] }, identity: {} })).toThrow(
      /identity: needs secrets or jwks/,
    );
  });

  it('stops Strapi at boot with that message', async () => {
    await expect(
      bootStrapi({
        redisUrl: inject('redisUrl'),
        keyPrefix: `test-strapi-config-${process.pid}:`,
        env: { PERSONALIZE_TOKEN_SECRETS: 'too-short' },
      }),
    ).rejects.toThrow(
      /Error regarding personalize config: invalid personalize plugin configuration:\n.*tokens\.secrets\.0: must be at least 32 characters/,
    );
  });

  it('stops Strapi at boot when the identity secret is a token secret', async () => {
    const secret = 'one-secret-for-everything-0123456789';
    await expect(
      bootStrapi({
        redisUrl: inject('redisUrl'),
        keyPrefix: `test-strapi-config-id-${process.pid}:`,
        env: { PERSONALIZE_TOKEN_SECRETS: secret, PERSONALIZE_IDENTITY_SECRETS: secret },
      }),
    ).rejects.toThrow(/an identity secret must not be a token secret/);
  });
});
