/**
 * The key set itself: lookup by id, constant-time hash check, scopes, a rotated key's grace,
 * revocation of both, and configuration refused when malformed (a typo must not open the API).
 */
import { describe, expect, it } from 'vitest';
import { ApiKeySet, hashApiKey, mintApiKey, parseApiKeyList, type ApiKeyRecord } from '../../server/api-keys';

function clockAt(start: number) {
  const clock = { at: start, now: () => clock.at };
  return clock;
}

describe('API keys', () => {
  it('mints pzk_<id>_<secret> keys whose SHA-256 is what is stored', () => {
    const minted = mintApiKey();
    expect(minted.key).toMatch(/^pzk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(minted.key.startsWith(`pzk_${minted.id}_`)).toBe(true);
    expect(minted.hash).toBe(hashApiKey(minted.key));
    expect(mintApiKey().key).not.toBe(minted.key);
  });

  it('verifies by id and hash, then scope', () => {
    const minted = mintApiKey();
    const keys = new ApiKeySet([{ id: minted.id, name: 'CRM', hash: minted.hash, scopes: ['traits:write'] }]);
    expect(keys.verify(minted.key, 'traits:write')).toEqual({
      ok: true,
      key: { id: minted.id, name: 'CRM', scopes: ['traits:write'] },
    });
    expect(keys.verify(minted.key, 'profiles:erase')).toEqual({ ok: false, refusal: 'scope' });
    expect(
      keys.verify(`${minted.key.slice(0, -1)}${minted.key.endsWith('A') ? 'B' : 'A'}`, 'traits:write'),
    ).toEqual({
      ok: false,
      refusal: 'unknown',
    });
    expect(keys.verify(mintApiKey().key, 'traits:write')).toEqual({ ok: false, refusal: 'unknown' });
    expect(keys.verify('Bearer nonsense', 'traits:write')).toEqual({ ok: false, refusal: 'malformed' });
    expect(keys.verify('', 'traits:write')).toEqual({ ok: false, refusal: 'missing' });
    expect(keys.verify(null, 'traits:write')).toEqual({ ok: false, refusal: 'missing' });
  });

  it('accepts the previous key of a rotation until its grace ends, and neither once revoked', () => {
    const old = mintApiKey();
    const rotated = mintApiKey(old.id);
    const clock = clockAt(1_000_000);
    const record: ApiKeyRecord = {
      id: old.id,
      hash: rotated.hash,
      previousHash: old.hash,
      previousValidUntil: clock.at + 3_600_000,
      scopes: ['traits:write'],
    };
    const keys = new ApiKeySet([record], clock);
    expect(keys.verify(rotated.key, 'traits:write').ok).toBe(true);
    expect(keys.verify(old.key, 'traits:write').ok).toBe(true);
    clock.at += 3_600_000;
    expect(keys.verify(old.key, 'traits:write')).toEqual({ ok: false, refusal: 'unknown' });
    expect(keys.verify(rotated.key, 'traits:write').ok).toBe(true);

    keys.replace([{ ...record, previousValidUntil: clock.at + 1000, revoked: true }]);
    expect(keys.verify(rotated.key, 'traits:write')).toEqual({ ok: false, refusal: 'revoked' });
    expect(keys.verify(old.key, 'traits:write')).toEqual({ ok: false, refusal: 'revoked' });
  });

  it('keeps the old set when a replacement is malformed', () => {
    const minted = mintApiKey();
    const keys = new ApiKeySet([{ id: minted.id, hash: minted.hash, scopes: ['traits:write'] }]);
    expect(() => keys.replace([{ id: minted.id, hash: 'nope', scopes: ['traits:write'] }])).toThrow(/hash/);
    expect(keys.verify(minted.key, 'traits:write').ok).toBe(true);
  });

  it('parses API_KEYS and refuses a typo with the entry named, never its hash', () => {
    const a = mintApiKey();
    const b = mintApiKey();
    expect(
      parseApiKeyList(` ${a.id}:${a.hash}:traits:write+profiles:read , ${b.id}:${b.hash}:events:write`),
    ).toEqual([
      { id: a.id, hash: a.hash, scopes: ['traits:write', 'profiles:read'] },
      { id: b.id, hash: b.hash, scopes: ['events:write'] },
    ]);
    expect(parseApiKeyList(undefined)).toEqual([]);
    expect(() => parseApiKeyList(`${a.id}:${a.hash}:trait:write`)).toThrow(
      /API_KEYS entry 1 [0-9a-f]{12}: unknown scope "trait:write"/,
    );
    expect(() => parseApiKeyList(`${a.id}:${a.hash}`)).toThrow(/at least one scope/);
    expect(() => parseApiKeyList(`${a.id}:${a.key}:traits:write`)).toThrow(/SHA-256/);
    try {
      parseApiKeyList(`${a.id}:${a.hash.toUpperCase()}:traits:write`);
    } catch (error) {
      expect(String(error)).not.toContain(a.hash.toUpperCase());
    }
    expect(
      () => new ApiKeySet(parseApiKeyList(`${a.id}:${a.hash}:traits:write,${a.id}:${b.hash}:traits:write`)),
    ).toThrow(/listed twice/);
  });
});
