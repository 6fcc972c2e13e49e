/**
 * The client address key and the settings of the limits, checked at start-up: a typo in
 * `trustProxy` or a limit must stop the start, never trust every header or switch a limit off.
 */
import { describe, expect, it } from 'vitest';
import { parsePluginConfig } from '../../plugin/server/config/schema';
import { addressKey, clientAddress, resolveTrustProxy } from '../../server/client-address';
import { DEFAULT_LIMITS, resolveLimits } from '../../server/limits';

describe('addressKey', () => {
  it('keys IPv4 as is, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64', () => {
    expect(addressKey('198.51.100.7')).toBe('198.51.100.7');
    expect(addressKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002::9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('::1')).toBe('::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80::/64');
    expect(addressKey(undefined)).toBe('unknown');
    expect(addressKey('not an address')).toBe('unknown');
    // Loose IPv4 forms (`127.1`, hex) are not what sockets or proxies write.
    expect(addressKey('0x7f.1')).toBe('unknown');
  });
});

describe('clientAddress', () => {
  const headers = (xff?: string | string[]) => ({ 'x-forwarded-for': xff });

  it('is the socket peer by default, whatever X-Forwarded-For says', () => {
    const address = clientAddress();
    expect(address('10.0.0.5', headers('203.0.113.1'))).toBe('10.0.0.5');
    expect(address('::ffff:10.0.0.5', headers('203.0.113.1'))).toBe('10.0.0.5');
  });

  it('with N hops, takes the Nth entry from the right (the leftmost when fewer)', () => {
    expect(clientAddress(1)('10.0.0.5', headers('6.6.6.6, 203.0.113.1'))).toBe('203.0.113.1');
    expect(clientAddress(2)('10.0.0.5', headers('6.6.6.6, 203.0.113.1, 10.0.0.4'))).toBe('203.0.113.1');
    expect(clientAddress(3)('10.0.0.5', headers('203.0.113.1, 10.0.0.4'))).toBe('203.0.113.1');
    expect(clientAddress(1)('10.0.0.5', headers(undefined))).toBe('10.0.0.5');
    // Repeated headers, in the order they came.
    expect(clientAddress(1)('10.0.0.5', headers(['6.6.6.6', '203.0.113.1']))).toBe('203.0.113.1');
  });

  it('with CIDRs, walks from the peer through trusted proxies to the first other address', () => {
    const address = clientAddress(['10.0.0.0/8', 'fd00::/8', '192.0.2.1']);
    expect(address('10.0.0.5', headers('6.6.6.6, 203.0.113.1, 192.0.2.1, fd00::3'))).toBe('203.0.113.1');
    // An untrusted peer is the client: its header is not read.
    expect(address('198.51.100.1', headers('203.0.113.1'))).toBe('198.51.100.1');
    // A trusted proxy that forwarded garbage: the last address that could be trusted.
    expect(address('10.0.0.5', headers('junk'))).toBe('10.0.0.5');
    // Every hop trusted: the leftmost.
    expect(address('10.0.0.5', headers('10.1.1.1'))).toBe('10.1.1.1');
    expect(address('10.0.0.5', headers('2001:db8:aa:bb::1'))).toBe('2001:db8:aa:bb::/64');
  });

  it('refuses settings that are not false, a positive hop count or valid CIDRs', () => {
    for (const bad of [true, 0, -1, 1.5, 'yes', '1', [], ['10.0.0.0/33'], ['nonsense'], [10]])
      expect(() => resolveTrustProxy(bad), JSON.stringify(bad)).toThrow(/trustProxy/);
    expect(resolveTrustProxy(['10.0.0.0/8', '::1'])).toEqual(['10.0.0.0/8', '::1']);
  });
});

describe('resolveLimits', () => {
  it('has a rate for every limited operation and keeps track buckets at least a batch deep', () => {
    const limits = resolveLimits();
    expect(limits).toEqual(DEFAULT_LIMITS);
    for (const name of [
      'startSessionPerIp',
      'identifyPerProfile',
      'identifyPerIp',
      'setConsentPerIp',
      'forgetMePerIp',
      'mePerProfile',
      'mePerIp',
    ] as const)
      expect(limits[name].burst).toBeGreaterThanOrEqual(1);
    expect(limits.trackPerProfile.burst).toBeGreaterThanOrEqual(limits.maxBatch);
  });

  it('refuses unknown names, bad rates and a track bucket smaller than a batch', () => {
    expect(() => resolveLimits({ startSesionPerIp: { burst: 1, perSecond: 1 } } as never)).toThrow(
      /limits\.startSesionPerIp is not a limit/,
    );
    expect(() => resolveLimits({ mePerIp: { burst: 0.5, perSecond: 1 } })).toThrow(
      /mePerIp\.burst must be at least 1/,
    );
    expect(() => resolveLimits({ mePerIp: { burst: 10, perSecond: 0 } })).toThrow(/mePerIp\.perSecond/);
    expect(() => resolveLimits({ mePerIp: { burst: 10, perSecond: 1, persecond: 5 } as never })).toThrow(
      /mePerIp\.persecond is not part of a rate/,
    );
    expect(() => resolveLimits({ trackPerProfile: { burst: 60, perSecond: 10 } })).toThrow(
      /trackPerProfile\.burst \(60\) must be at least limits\.maxBatch \(100\)/,
    );
    expect(
      resolveLimits({ maxBatch: 10, trackPerProfile: { burst: 60, perSecond: 10 } }).trackPerProfile.burst,
    ).toBe(60);
  });

  it('is what the plugin configuration accepts, trustProxy included', () => {
    const config = parsePluginConfig({
      tokens: { secrets: ['x'.repeat(32)] },
      identity: { secrets: ['y'.repeat(32)] },
      limits: {
        startSessionPerIp: { burst: 5, perSecond: 1 / 60 },
        forgetMePerProfile: { burst: 1, perSecond: 0.01 },
      },
      trustProxy: ['10.0.0.0/8'],
    });
    expect(config.trustProxy).toEqual(['10.0.0.0/8']);
    expect(
      parsePluginConfig({ tokens: { secrets: ['x'.repeat(32)] }, identity: { secrets: ['y'.repeat(32)] } })
        .trustProxy,
    ).toBe(false);
    expect(() =>
      parsePluginConfig({
        tokens: { secrets: ['x'.repeat(32)] },
        identity: { secrets: ['y'.repeat(32)] },
        trustProxy: ['10.0.0.0/40'],
      }),
    ).toThrow(/trustProxy: .*not an IP address or a CIDR/);
    expect(() =>
      parsePluginConfig({
        tokens: { secrets: ['x'.repeat(32)] },
        identity: { secrets: ['y'.repeat(32)] },
        trustProxy: true,
      }),
    ).toThrow(/trustProxy/);
    expect(() =>
      parsePluginConfig({
        tokens: { secrets: ['x'.repeat(32)] },
        limits: { mePerIp: { burst: 0, perSecond: 1 } },
      }),
    ).toThrow(/limits\.mePerIp\.burst/);
  });
});
