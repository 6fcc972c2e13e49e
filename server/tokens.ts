/**
 * Profile tokens: `pz1.<kid>.<payload>.<signature>`, where the payload is base64url JSON
 * `{ sub, iat, exp }` and the signature the HMAC-SHA256 of `pz1.<kid>.<payload>` with the secret
 * the key id names. The first configured secret signs; every configured secret verifies, so a
 * secret is rotated by putting the new one first and removing the old one after `ttlMs`.
 *
 * The key id is a hash prefix of the secret (never the secret), so verification picks the right
 * key in one step and a token signed with a removed secret is refused as unknown.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { isUserProfileId } from '../engine/store/profile-id';
import type { Clock, EpochMs } from '../engine/types';
import type { TokenIssuer, TokenRefusal } from '../resolvers/services';

const VERSION = 'pz1';
/** Secrets shorter than this are refused at start-up: an HMAC key must not be guessable. */
export const MIN_SECRET_LENGTH = 32;
/** Default token lifetime: 30 days, as the default anonymous profile lifetime. */
export const DEFAULT_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/**
 * Default lifetime of a token for a user's profile (from `identify`): 7 days. It reads a known
 * person's data, so a stolen copy should not last a month; an active visitor's client refreshes
 * it (`refreshSession`) long before, and a visitor away longer signs in again.
 */
export const DEFAULT_USER_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface TokenClaims {
  /** The profile id the token stands for. */
  profileId: string;
  issuedAt: EpochMs;
  expiresAt: EpochMs;
}

/** Why a token was refused (each maps to a clear error). */
export type { TokenRefusal };

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; refusal: TokenRefusal };

export interface TokenOptions {
  /** HMAC secrets, at least 32 characters each; the first signs, all verify. */
  secrets: string[];
  /** Lifetime of new anonymous tokens (ms); default 30 days. */
  ttlMs?: number;
  /** Lifetime of new tokens for a user's profile (ms); default 7 days. */
  userTtlMs?: number;
  clock: Clock;
}

/**
 * Verified tokens remembered, so a visitor's every request does not pay an HMAC (about 3% of the
 * server's CPU in `npm run bench -- load`). Only tokens whose signature verified get in, so
 * garbage cannot fill it; the oldest entry makes room; expiry is still checked on every use.
 */
const MAX_REMEMBERED_TOKENS = 10_000;

const keyId = (secret: string): string => createHash('sha256').update(secret).digest('base64url').slice(0, 8);
const sign = (secret: string, text: string): Buffer => createHmac('sha256', secret).update(text).digest();

/** Signs and verifies profile tokens. */
export class TokenSigner implements TokenIssuer {
  private readonly keys: Map<string, string>;
  private readonly signingKid: string;
  /** Token text -> its claims, for tokens whose signature verified (see MAX_REMEMBERED_TOKENS). */
  private readonly verified = new Map<string, TokenClaims>();
  readonly ttlMs: number;
  readonly userTtlMs: number;

  constructor(private readonly options: TokenOptions) {
    if (!Array.isArray(options.secrets) || options.secrets.length === 0)
      throw new TypeError('tokens.secrets must list at least one secret');
    for (const secret of options.secrets) {
      if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH)
        throw new TypeError(
          `every token secret must be a string of at least ${MIN_SECRET_LENGTH} characters`,
        );
    }
    this.keys = new Map(options.secrets.map((secret) => [keyId(secret), secret]));
    this.signingKid = keyId(options.secrets[0]!);
    this.ttlMs = options.ttlMs ?? DEFAULT_TOKEN_TTL_MS;
    if (!Number.isFinite(this.ttlMs) || this.ttlMs <= 0)
      throw new TypeError('tokens.ttlMs must be a positive number');
    this.userTtlMs = options.userTtlMs ?? Math.min(DEFAULT_USER_TOKEN_TTL_MS, this.ttlMs);
    if (!Number.isFinite(this.userTtlMs) || this.userTtlMs <= 0)
      throw new TypeError('tokens.userTtlMs must be a positive number');
  }

  /** A new token for `profileId`, valid for `ttlMs` (a user's profile: `userTtlMs`) from now. */
  issue(profileId: string): { token: string; claims: TokenClaims } {
    const issuedAt = this.options.clock.now();
    const ttl = isUserProfileId(profileId) ? this.userTtlMs : this.ttlMs;
    const claims: TokenClaims = { profileId, issuedAt, expiresAt: issuedAt + ttl };
    const payload = Buffer.from(
      JSON.stringify({ sub: claims.profileId, iat: claims.issuedAt, exp: claims.expiresAt }),
    ).toString('base64url');
    const unsigned = `${VERSION}.${this.signingKid}.${payload}`;
    const secret = this.keys.get(this.signingKid)!;
    return { token: `${unsigned}.${sign(secret, unsigned).toString('base64url')}`, claims };
  }

  /** Verifies a token: signature first (constant time), then expiry. Never throws. */
  verify(token: string): TokenCheck {
    if (typeof token !== 'string' || token.length > 1024) return { ok: false, refusal: 'malformed' };
    let claims = this.verified.get(token);
    if (!claims) {
      const signed = this.verifySignature(token);
      if (!signed.ok) return signed;
      claims = signed.claims;
      if (this.verified.size >= MAX_REMEMBERED_TOKENS)
        this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, claims);
    }
    if (this.options.clock.now() >= claims.expiresAt) {
      this.verified.delete(token);
      return { ok: false, refusal: 'expired' };
    }
    return { ok: true, claims };
  }

  /** The claims of a token whose form and signature are right, expired or not. */
  private verifySignature(token: string): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) return { ok: false, refusal: 'malformed' };
    const [, kid, payload, signature] = parts as [string, string, string, string];
    const secret = this.keys.get(kid);
    if (!secret) return { ok: false, refusal: 'unknown-key' };
    // Compared as text, not decoded: base64url decoding skips padding and stray characters and
    // ignores the spare bits of the last one, so a signature would have many spellings and a
    // tampered token (`<token>=`) would pass. Each token has exactly one valid form.
    const expected = Buffer.from(sign(secret, `${VERSION}.${kid}.${payload}`).toString('base64url'));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, refusal: 'bad-signature' };
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, refusal: 'malformed' };
    }
    const { sub, iat, exp } = (decoded ?? {}) as { sub?: unknown; iat?: unknown; exp?: unknown };
    if (typeof sub !== 'string' || typeof iat !== 'number' || typeof exp !== 'number')
      return { ok: false, refusal: 'malformed' };
    return { ok: true, claims: Object.freeze({ profileId: sub, issuedAt: iat, expiresAt: exp }) };
  }
}
