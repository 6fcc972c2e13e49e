/**
 * Server-to-server API keys, framework-neutral: what a site's backend (or a CDP) presents to the
 * server API (server/server-api.ts) as `Authorization: Bearer <key>`.
 *
 *   pzk_<id>_<secret>     id: 12 lowercase hex characters, public (shown in the admin, in logs
 *                         never); secret: 32 random bytes, base64url (43 characters)
 *
 * Only the SHA-256 of the whole key is stored: the secret is 256 random bits, so a fast hash is
 * as safe as a slow one (nothing to brute-force) and verification costs one hash. A key is found
 * by its id in one step and its hash compared in constant time. A key carries scopes
 * (`traits:write`, ...); every server API operation names the one it needs.
 *
 * `ApiKeySet` is the in-memory implementation: built from configuration (the standalone server's
 * `API_KEYS`, see `parseApiKeyList`) or from the Strapi plugin's stored keys, replaced whole when
 * they change.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock, EpochMs } from '../engine/types';
import { systemClock } from '../engine/types';

/** What a key may be used for. */
export const API_KEY_SCOPES = ['traits:write', 'events:write', 'profiles:read', 'profiles:erase'] as const;

export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const API_KEY_PREFIX = 'pzk_';

const KEY_FORMAT = /^pzk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const ID_FORMAT = /^[0-9a-f]{12}$/;
const HASH_FORMAT = /^[0-9a-f]{64}$/;

/** One stored key: never the secret, only its hash. */
export interface ApiKeyRecord {
  /** The public part of the key (`pzk_<id>_…`). */
  id: string;
  /** For people (the admin page); never used to authorize. */
  name?: string;
  scopes: readonly ApiKeyScope[];
  /** SHA-256 of the whole key, lowercase hex. */
  hash: string;
  /** After a rotation: the previous key's hash, accepted until `previousValidUntil`. */
  previousHash?: string;
  previousValidUntil?: EpochMs;
  /** A revoked key is refused at once (the previous hash too). */
  revoked?: boolean;
}

/** Who called, once a key verified. */
export interface ApiKeyIdentity {
  id: string;
  name?: string;
  scopes: readonly ApiKeyScope[];
}

/** Why a presented key was refused: `missing`/`malformed`/`unknown`/`revoked` are 401, `scope` is 403. */
export type ApiKeyRefusal = 'missing' | 'malformed' | 'unknown' | 'revoked' | 'scope';

export type ApiKeyCheck = { ok: true; key: ApiKeyIdentity } | { ok: false; refusal: ApiKeyRefusal };

/** Verifies presented keys; the server API calls it once per request. */
export interface ApiKeys {
  verify(presented: string | null | undefined, scope: ApiKeyScope): ApiKeyCheck | Promise<ApiKeyCheck>;
}

/** SHA-256 of a whole key, lowercase hex: what is stored and configured. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key: the text to hand over once, and what to store. */
export function mintApiKey(id: string = randomBytes(6).toString('hex')): {
  key: string;
  id: string;
  hash: string;
} {
  if (!ID_FORMAT.test(id)) throw new TypeError('an API key id is 12 lowercase hex characters');
  const key = `${API_KEY_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
  return { key, id, hash: hashApiKey(key) };
}

/** The id of a key of the right form, else null (nothing else is read from it). */
export function apiKeyId(presented: string): string | null {
  return KEY_FORMAT.exec(presented)?.[1] ?? null;
}

/** Whether `value` names a scope. */
export function isApiKeyScope(value: unknown): value is ApiKeyScope {
  return typeof value === 'string' && (API_KEY_SCOPES as readonly string[]).includes(value);
}

/** Checks one record's fields; throws a TypeError naming the problem (bad configuration must not start). */
export function assertApiKeyRecord(record: ApiKeyRecord, where = 'API key'): void {
  if (!ID_FORMAT.test(record.id)) throw new TypeError(`${where}: the id must be 12 lowercase hex characters`);
  if (!HASH_FORMAT.test(record.hash))
    throw new TypeError(`${where} ${record.id}: the hash must be 64 lowercase hex characters (SHA-256)`);
  if (record.previousHash !== undefined && !HASH_FORMAT.test(record.previousHash))
    throw new TypeError(`${where} ${record.id}: the previous hash must be 64 lowercase hex characters`);
  if (!Array.isArray(record.scopes) || record.scopes.length === 0)
    throw new TypeError(`${where} ${record.id}: needs at least one scope (${API_KEY_SCOPES.join(', ')})`);
  for (const scope of record.scopes)
    if (!isApiKeyScope(scope))
      throw new TypeError(
        `${where} ${record.id}: unknown scope "${String(scope)}" (one of ${API_KEY_SCOPES.join(', ')})`,
      );
}

interface Entry {
  identity: ApiKeyIdentity;
  hash: Buffer;
  previousHash?: Buffer;
  previousValidUntil: EpochMs;
  revoked: boolean;
}

/** The keys in force on this instance, looked up by id. `replace` swaps the whole set at once. */
export class ApiKeySet implements ApiKeys {
  private entries = new Map<string, Entry>();

  constructor(
    records: readonly ApiKeyRecord[] = [],
    private readonly clock: Clock = systemClock,
  ) {
    this.replace(records);
  }

  /** Replaces every key (a stored change, on every instance). Throws on a bad record, keeping the old set. */
  replace(records: readonly ApiKeyRecord[]): void {
    const entries = new Map<string, Entry>();
    for (const record of records) {
      assertApiKeyRecord(record);
      if (entries.has(record.id)) throw new TypeError(`API key ${record.id} is listed twice`);
      entries.set(record.id, {
        identity: Object.freeze({
          id: record.id,
          ...(record.name ? { name: record.name } : {}),
          scopes: Object.freeze([...record.scopes]),
        }),
        hash: Buffer.from(record.hash, 'hex'),
        ...(record.previousHash ? { previousHash: Buffer.from(record.previousHash, 'hex') } : {}),
        previousValidUntil: record.previousValidUntil ?? 0,
        revoked: record.revoked === true,
      });
    }
    this.entries = entries;
  }

  get size(): number {
    return this.entries.size;
  }

  verify(presented: string | null | undefined, scope: ApiKeyScope): ApiKeyCheck {
    if (presented === null || presented === undefined || presented === '')
      return { ok: false, refusal: 'missing' };
    const id = typeof presented === 'string' && presented.length <= 128 ? apiKeyId(presented) : null;
    if (id === null) return { ok: false, refusal: 'malformed' };
    const entry = this.entries.get(id);
    if (!entry) return { ok: false, refusal: 'unknown' };
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    const current = timingSafeEqual(digest, entry.hash);
    const previous =
      entry.previousHash !== undefined &&
      this.clock.now() < entry.previousValidUntil &&
      timingSafeEqual(digest, entry.previousHash);
    if (!current && !previous) return { ok: false, refusal: 'unknown' };
    if (entry.revoked) return { ok: false, refusal: 'revoked' };
    if (!entry.identity.scopes.includes(scope)) return { ok: false, refusal: 'scope' };
    return { ok: true, key: entry.identity };
  }
}

/**
 * Parses the standalone server's `API_KEYS`: comma-separated `id:sha256hex:scope+scope` entries,
 * e.g. `3f9a0c1b2d4e:9b74…e1:traits:write+profiles:read`. Whitespace around entries is ignored.
 *
 * @throws TypeError naming the entry (by position and id, never a hash) when one is malformed.
 */
export function parseApiKeyList(value: string | undefined): ApiKeyRecord[] {
  const records: ApiKeyRecord[] = [];
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  entries.forEach((entry, index) => {
    const [id = '', hash = '', ...rest] = entry.split(':');
    const scopes = rest
      .join(':')
      .split('+')
      .filter((scope) => scope !== '');
    const record = { id, hash, scopes: scopes as ApiKeyScope[] };
    assertApiKeyRecord(record, `API_KEYS entry ${index + 1}`);
    records.push(record);
  });
  return records;
}

/** The message a refused caller sees. */
export function describeApiKeyRefusal(refusal: ApiKeyRefusal, scope: ApiKeyScope): string {
  switch (refusal) {
    case 'missing':
      return 'send an API key as "Authorization: Bearer pzk_…"';
    case 'malformed':
      return 'the API key is malformed (expected pzk_<id>_<secret>)';
    case 'unknown':
    case 'revoked':
      return 'the API key is unknown or revoked';
    case 'scope':
      return `the API key lacks the scope ${scope}`;
  }
}
