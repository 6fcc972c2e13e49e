/**
 * Identity assertions: the proof that the caller of `identify` is the user it names. The site's
 * backend, where the user logged in, signs a short-lived JWT (`signIdentityAssertion`, or any JWT
 * library) and hands it to its front end, which passes it to `identify`. The endpoint verifies it
 * with `jose`:
 *
 *   header  `alg` HS256 with a secret of the identity option (never a token secret), or an
 *           asymmetric algorithm with a key of the configured JWKS (local object or URL)
 *   `sub`   the user id (required)
 *   `aud`   the configured audience, default `personalize` (required)
 *   `iat`, `exp`  required; `exp - iat` at most `maxLifetimeSeconds` (default 600)
 *   `jti`   required, 1-128 characters: accepted once, remembered until `exp` (`useOnce`)
 *   `pid`   optional: the anonymous profile id (the caller's `startSession` `profileId`) the
 *           assertion was made for; when present it must equal the caller's token subject
 *   `traits` optional object: the user's traits, trusted by rules (bounded as event payloads)
 *
 * An assertion therefore cannot be replayed, outlives its page by minutes at most, and cannot
 * mint profile tokens (its key signs nothing else).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { JWTPayload, JWTVerifyGetKey } from 'jose' with { 'resolution-mode': 'import' };
import { copyJsonObject, DEFAULT_EVENT_LIMITS, EventValidationError } from '../engine';
import type { Clock, EpochMs, JsonObject } from '../engine/types';
import { AssertionRefusal, type AssertionVerifier, type IdentityAssertion } from '../resolvers/services';

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
let jose: Promise<Jose> | undefined;
/** jose is an ES module; this CommonJS package loads it on first use. */
const loadJose = (): Promise<Jose> => (jose ??= import('jose'));

/** Secrets shorter than this are refused at start-up (an HMAC key must not be guessable). */
export const MIN_IDENTITY_SECRET_LENGTH = 32;
/** Default `aud` an assertion must carry. */
export const DEFAULT_AUDIENCE = 'personalize';
/** Default and ceiling of an assertion's lifetime (`exp - iat`), in seconds. */
export const DEFAULT_MAX_LIFETIME_SECONDS = 600;
export const MAX_LIFETIME_CEILING_SECONDS = 3600;
/** Default lifetime of an assertion made by `signIdentityAssertion`, in seconds. */
export const DEFAULT_ASSERTION_TTL_SECONDS = 300;
/** Clock difference tolerated between the signing backend and this server, in seconds. */
const CLOCK_TOLERANCE_SECONDS = 30;
const MAX_ASSERTION_LENGTH = 16 * 1024;
const MAX_JTI_LENGTH = 128;
/** Asymmetric algorithms a JWKS key may use; HS256 is for `secrets` only. */
const JWKS_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/** What browsers may send as `identify(traits:)`. */
export type ClientTraitsPolicy = 'refuse' | 'separate';

/** The `identity` option of `createPersonalizeServer` (and of the plugin config). */
export interface IdentityOptions {
  /** HS256 secrets (32+ characters, none equal to a token secret): all verify, the site signs with one. */
  secrets?: string[];
  /** Public keys of the signer: a JWKS object (`{ keys: [...] }`) or its https URL. */
  jwks?: { keys: object[] } | string;
  /** The `aud` assertions must carry; default `personalize`. */
  audience?: string;
  /** The `iss` assertions must carry; default: not checked. */
  issuer?: string;
  /** Longest accepted `exp - iat` (seconds); default 600, at most 3600. */
  maxLifetimeSeconds?: number;
  /**
   * Traits sent by the browser in `identify(traits:)`: `refuse` (default) refuses them; `separate`
   * keeps them apart as `clientTraits`, which rules read only under the `clientTraits` root.
   */
  clientTraits?: ClientTraitsPolicy;
}

export interface IdentityVerifierOptions extends IdentityOptions {
  /** Token secrets, which no identity secret may equal. */
  tokenSecrets: readonly string[];
  clock: Clock;
  /** Remembers a `jti` until its expiry; `false` when already used (`Personalizer.useOnce`). */
  useOnce(nonce: string, until: EpochMs): Promise<boolean>;
}

/** Checks identity assertions; built once at start-up, which refuses unusable options. */
export class IdentityVerifier implements AssertionVerifier {
  readonly audience: string;
  readonly maxLifetimeSeconds: number;
  readonly clientTraits: ClientTraitsPolicy;
  private keys: Promise<{ secrets: Uint8Array[]; jwks: JWTVerifyGetKey | null }> | undefined;

  constructor(private readonly options: IdentityVerifierOptions) {
    const { secrets, jwks } = options;
    if (secrets === undefined && jwks === undefined)
      throw new TypeError('identity needs secrets (HS256) or jwks to verify identity assertions');
    if (secrets !== undefined) {
      if (!Array.isArray(secrets) || secrets.length === 0)
        throw new TypeError('identity.secrets must list at least one secret');
      for (const secret of secrets) {
        if (typeof secret !== 'string' || secret.length < MIN_IDENTITY_SECRET_LENGTH)
          throw new TypeError(
            `every identity secret must be a string of at least ${MIN_IDENTITY_SECRET_LENGTH} characters`,
          );
        if (options.tokenSecrets.includes(secret))
          throw new TypeError(
            'an identity secret must not be a token secret: whoever signs assertions could mint profile tokens',
          );
      }
    }
    if (jwks !== undefined) {
      const isUrl = typeof jwks === 'string';
      if (isUrl ? !/^https?:\/\//.test(jwks) : !Array.isArray((jwks as { keys?: unknown })?.keys))
        throw new TypeError('identity.jwks must be a JWKS object ({ keys: [...] }) or an http(s) URL');
    }
    this.audience = options.audience ?? DEFAULT_AUDIENCE;
    if (typeof this.audience !== 'string' || this.audience === '')
      throw new TypeError('identity.audience must be a non-empty string');
    if (options.issuer !== undefined && (typeof options.issuer !== 'string' || options.issuer === ''))
      throw new TypeError('identity.issuer must be a non-empty string');
    this.maxLifetimeSeconds = options.maxLifetimeSeconds ?? DEFAULT_MAX_LIFETIME_SECONDS;
    if (
      !Number.isSafeInteger(this.maxLifetimeSeconds) ||
      this.maxLifetimeSeconds < 1 ||
      this.maxLifetimeSeconds > MAX_LIFETIME_CEILING_SECONDS
    )
      throw new TypeError(
        `identity.maxLifetimeSeconds must be an integer from 1 to ${MAX_LIFETIME_CEILING_SECONDS}`,
      );
    this.clientTraits = options.clientTraits ?? 'refuse';
    if (this.clientTraits !== 'refuse' && this.clientTraits !== 'separate')
      throw new TypeError("identity.clientTraits must be 'refuse' or 'separate'");
  }

  /**
   * Verifies `assertion` for a caller whose token names `callerProfileId`, and uses up its `jti`.
   * Throws `AssertionRefusal` with the reason.
   */
  async verify(assertion: string, callerProfileId: string): Promise<IdentityAssertion> {
    if (typeof assertion !== 'string' || assertion.length === 0)
      throw new AssertionRefusal('identify needs an identity assertion signed by your backend');
    if (assertion.length > MAX_ASSERTION_LENGTH)
      throw new AssertionRefusal(`the identity assertion is longer than ${MAX_ASSERTION_LENGTH} characters`);
    const payload = await this.verifySignature(assertion);
    const { sub, iat, exp, jti, pid } = payload;
    if (typeof sub !== 'string' || sub === '')
      throw new AssertionRefusal('the identity assertion has no sub (user id)');
    if (typeof iat !== 'number' || typeof exp !== 'number')
      throw new AssertionRefusal('the identity assertion needs iat and exp');
    if (exp - iat > this.maxLifetimeSeconds)
      throw new AssertionRefusal(
        `the identity assertion lives ${exp - iat} s; at most ${this.maxLifetimeSeconds} s are accepted`,
      );
    const nowSeconds = this.options.clock.now() / 1000;
    if (iat > nowSeconds + CLOCK_TOLERANCE_SECONDS)
      throw new AssertionRefusal('the identity assertion was issued in the future; check the signer clock');
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH)
      throw new AssertionRefusal(`the identity assertion needs a jti of 1-${MAX_JTI_LENGTH} characters`);
    if (pid !== undefined && pid !== callerProfileId)
      throw new AssertionRefusal('the identity assertion was made for another session (pid)');
    const traits = checkedTraits(payload.traits);
    const expiresAt = (exp + CLOCK_TOLERANCE_SECONDS) * 1000;
    // Hashed: the key stays short and of one alphabet whatever the signer put in `jti`.
    const nonce = `assertion:${createHash('sha256').update(`${this.audience}\0${jti}`).digest('base64url')}`;
    if (!(await this.options.useOnce(nonce, expiresAt)))
      throw new AssertionRefusal('the identity assertion was already used; sign a new one for each identify');
    return { userId: sub, profileId: typeof pid === 'string' ? pid : null, traits, jti, expiresAt };
  }

  private async verifySignature(assertion: string): Promise<JWTPayload> {
    const { jwtVerify, errors } = await loadJose();
    const { secrets, jwks } = await (this.keys ??= this.loadKeys());
    const common = {
      audience: this.audience,
      issuer: this.options.issuer,
      requiredClaims: ['sub', 'iat', 'exp', 'jti'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: new Date(this.options.clock.now()),
    };
    let failure: unknown = new errors.JWSSignatureVerificationFailed();
    try {
      for (const secret of secrets) {
        try {
          return (await jwtVerify(assertion, secret, { ...common, algorithms: ['HS256'] })).payload;
        } catch (error) {
          failure = error;
          // Another secret may have signed it; any other failure is final.
          if (!(error instanceof errors.JWSSignatureVerificationFailed)) throw error;
        }
      }
      if (jwks) return (await jwtVerify(assertion, jwks, { ...common, algorithms: JWKS_ALGORITHMS })).payload;
      throw failure;
    } catch (error) {
      throw describeJoseError(error, errors);
    }
  }

  private async loadKeys(): Promise<{ secrets: Uint8Array[]; jwks: JWTVerifyGetKey | null }> {
    const { createLocalJWKSet, createRemoteJWKSet } = await loadJose();
    const { secrets = [], jwks } = this.options;
    return {
      secrets: secrets.map((secret) => new TextEncoder().encode(secret)),
      jwks:
        jwks === undefined
          ? null
          : typeof jwks === 'string'
            ? createRemoteJWKSet(new URL(jwks))
            : createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]),
    };
  }
}

function describeJoseError(error: unknown, errors: Jose['errors']): AssertionRefusal {
  const refused = (message: string) => new AssertionRefusal(message);
  if (error instanceof errors.JWTExpired)
    return refused('the identity assertion has expired; sign a new one');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return refused('the identity assertion is for another audience (aud)');
    if (error.claim === 'iss') return refused('the identity assertion has another issuer (iss)');
    return refused(`the identity assertion has an invalid or missing ${error.claim} claim`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey)
    return refused('the identity assertion signature does not verify with the configured identity keys');
  if (error instanceof errors.JOSEAlgNotAllowed)
    return refused('the identity assertion uses an algorithm this server does not accept');
  // The JWKS URL did not answer (or not with keys): not the caller's fault, worth a retry.
  if (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    !(error instanceof errors.JOSEError)
  )
    return new AssertionRefusal(
      'the identity keys (JWKS) could not be fetched; retry shortly',
      'unavailable',
    );
  return refused('the identity assertion is not a valid JWT');
}

/** The `traits` claim, checked as event payloads are (bounded, no `__proto__`, valid strings). */
function checkedTraits(traits: unknown): JsonObject {
  if (traits === undefined || traits === null) return {};
  try {
    return copyJsonObject(traits, 'traits', DEFAULT_EVENT_LIMITS);
  } catch (error) {
    if (error instanceof EventValidationError)
      throw new AssertionRefusal(
        `the identity assertion's traits claim is invalid: ${error.message}`,
        'bad-input',
        error.path,
      );
    throw error;
  }
}

/** What a site backend passes to `signIdentityAssertion`. */
export interface SignIdentityAssertionOptions {
  /** The signed-in user's id (`sub`). */
  userId: string;
  /** One of the endpoint's `identity.secrets` (HS256). */
  secret: string;
  /** Default `personalize`; must be the endpoint's `identity.audience`. */
  audience?: string;
  issuer?: string;
  /** Binds the assertion to the visitor's anonymous profile (`startSession`'s `profileId`). */
  profileId?: string;
  /** The user's traits, which rules may trust. */
  traits?: JsonObject;
  /** Lifetime in seconds; default 300. The endpoint refuses longer than its `maxLifetimeSeconds`. */
  ttlSeconds?: number;
  /** Time of signing (ms); default now. */
  now?: EpochMs;
}

/**
 * Signs an identity assertion for `identify` (HS256 JWT with a fresh `jti`): call it in the site's
 * backend once the user is logged in, and hand the result to the front end.
 */
export async function signIdentityAssertion(options: SignIdentityAssertionOptions): Promise<string> {
  const { SignJWT } = await loadJose();
  if (typeof options.userId !== 'string' || options.userId === '')
    throw new TypeError('userId must be a non-empty string');
  if (typeof options.secret !== 'string' || options.secret.length < MIN_IDENTITY_SECRET_LENGTH)
    throw new TypeError(`secret must be at least ${MIN_IDENTITY_SECRET_LENGTH} characters`);
  const ttl = options.ttlSeconds ?? DEFAULT_ASSERTION_TTL_SECONDS;
  if (!Number.isSafeInteger(ttl) || ttl < 1) throw new TypeError('ttlSeconds must be a positive integer');
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const claims: JWTPayload = {};
  if (options.profileId !== undefined) claims.pid = options.profileId;
  if (options.traits !== undefined) claims.traits = options.traits;
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.userId)
    .setAudience(options.audience ?? DEFAULT_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttl)
    .setJti(randomUUID());
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer);
  return jwt.sign(new TextEncoder().encode(options.secret));
}
