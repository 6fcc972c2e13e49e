/**
 * fast-check arbitraries for what an attacker sends: valid events to hide a bad one among, and one
 * hostile change of a valid event (a wrong type, a value past a limit, a prototype-pollution key at
 * some depth, a lone surrogate, a timestamp from another century, a number JSON cannot carry...).
 */
import fc from 'fast-check';

export const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** An object with `key` as an own, enumerable data property (even `__proto__`), as JSON.parse makes it. */
export function own(key: string, value: unknown): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

/** Strings that are not well-formed UTF-16: they cannot round-trip through UTF-8 (Redis, the wire). */
export const loneSurrogate = fc
  .tuple(
    fc.string({ maxLength: 5 }),
    fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\ud83d'),
    fc.string({ maxLength: 5 }),
  )
  .map(([before, surrogate, after]) => `${before}${surrogate}${after}`);

const CONTROL = fc.constantFrom('\u0000', '\u0007', '\n', '\t', '\u001b', '\u007f', '\u0085', '\u009f');
const SAFE_KEY = fc
  .stringMatching(/^[a-z][a-zA-Z0-9_]{0,11}$/)
  .filter((key) => key !== 'constructor' && key !== 'prototype');
const SCALAR = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
/** Small JSON within every payload limit (keys of `fc.jsonValue` may be empty, which is refused). */
const SMALL_JSON = fc.oneof(
  SCALAR,
  fc.array(SCALAR, { maxLength: 4 }),
  fc.dictionary(SAFE_KEY, SCALAR, { maxKeys: 4 }),
);

/** A value no JSON field of a given type should accept. */
const wrongScalar = fc.oneof(
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
  fc.dictionary(SAFE_KEY, fc.string({ maxLength: 3 }), { maxKeys: 3 }),
);

/** Properties within every limit: a few safe keys, small JSON values. */
export const safePayload = fc.dictionary(SAFE_KEY, SMALL_JSON, { maxKeys: 6 });

let sequence = 0;
/** A fresh event id (unique within the run, so nothing is a duplicate by accident). */
export const freshId = (): string =>
  `atk-${process.pid}-${Date.now().toString(36)}-${(sequence++).toString(36)}`;

/** A valid `EventInput`; `timestamp` inside the accepted skew of `now`. */
export function validEvent(now: () => number): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record(
      {
        type: fc.constantFrom('Article Viewed', 'Product Viewed', 'page', 'Added to Cart'),
        properties: fc.oneof(safePayload, fc.constant({ category: 'news' })),
        context: safePayload,
        skewMs: fc.option(fc.integer({ min: -23 * 3_600_000, max: 4 * 60_000 }), { nil: undefined }),
        iso: fc.boolean(),
      },
      { requiredKeys: ['type', 'properties', 'iso'] },
    )
    .map(({ skewMs, iso, ...event }) => {
      const base: Record<string, unknown> = { id: freshId(), ...event };
      if (skewMs !== undefined) {
        const at = now() + skewMs;
        base.timestamp = iso ? new Date(at).toISOString() : at;
      }
      return base;
    });
}

/** A payload (properties or context) that breaks one rule of payloads, at some depth. */
const hostilePayload: fc.Arbitrary<unknown> = fc.oneof(
  // Not an object at all (null means "not given", so it is left out).
  fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.array(SMALL_JSON, { maxLength: 3 })),
  // A prototype-pollution key, at depth 1 to 4, possibly inside an array.
  fc
    .tuple(fc.constantFrom(...HOSTILE_KEYS), fc.array(SAFE_KEY, { maxLength: 3 }), fc.boolean(), SMALL_JSON)
    .map(([key, path, inArray, value]) => {
      let node: unknown = own(key, value ?? { polluted: true });
      if (inArray) node = [1, node];
      for (const segment of path.reverse()) node = { [segment]: node };
      return inArray && path.length === 0 ? { list: node } : node;
    }),
  // Nested past the depth limit (5).
  fc.integer({ min: 6, max: 60 }).map((depth) => {
    let node: unknown = 'deep';
    for (let level = 0; level < depth; level++) node = level % 2 ? [node] : { d: node };
    return { d: node };
  }),
  // Too many keys in one object, or elements in one array (64), or in total (256).
  fc
    .integer({ min: 65, max: 400 })
    .map((count) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, i]))),
  fc.integer({ min: 65, max: 2_000 }).map((count) => ({ list: Array.from({ length: count }, (_, i) => i) })),
  fc.constant(
    Object.fromEntries(
      Array.from({ length: 5 }, (_, i) => [
        `o${i}`,
        Object.fromEntries(Array.from({ length: 60 }, (_, j) => [`k${j}`, j])),
      ]),
    ),
  ),
  // Strings and keys past their limits (1,024 and 128 characters), or empty keys.
  fc.integer({ min: 1_025, max: 20_000 }).map((length) => ({ text: 'x'.repeat(length) })),
  fc.integer({ min: 129, max: 2_000 }).map((length) => ({ ['k'.repeat(length)]: 1 })),
  fc.constant({ '': 1 }),
  // More than 8 KiB in total, every part within its own limit.
  fc.constant(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`s${i}`, 'y'.repeat(1_000)]))),
  // Lone surrogates in a value or in a key.
  loneSurrogate.map((text) => ({ text })),
  loneSurrogate.map((key) => ({ [key]: 1 })),
);

/** A timestamp the validator must refuse, relative to the server clock `now`. */
function hostileTimestamp(now: () => number): fc.Arbitrary<unknown> {
  return fc.oneof(
    // Far future, far past (epoch ms and ISO).
    fc.integer({ min: 6 * 60_000, max: 8.64e15 }).map((ahead) => now() + ahead),
    fc.integer({ min: 25 * 3_600_000, max: 8.64e15 }).map((behind) => now() - behind),
    fc.constantFrom(
      '9999-12-31T23:59:59Z',
      '0000-01-01T00:00:00Z',
      '1970-01-01T00:00:00Z',
      '+275760-09-13T00:00:00Z',
    ),
    // Numbers that are not whole epoch milliseconds.
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !Number.isSafeInteger(value)),
    fc.constantFrom(2 ** 53, -(2 ** 53), Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -1),
    // Strings that are not ISO-8601 with a zone.
    fc.constantFrom(
      'NaN',
      'Infinity',
      '-Infinity',
      '1e400',
      '',
      'now',
      '0x1F',
      '2026-11-22T10:00:00',
      '2026-13-45T99:99:99Z',
      ' 2026-11-22T10:00:00Z',
    ),
    fc.string({ maxLength: 30 }).filter((text) => !/^\d{4}-/.test(text)),
    // Other types (null is "not given", so it is left out).
    fc.boolean(),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.dictionary(SAFE_KEY, fc.integer(), { maxKeys: 2 }),
  );
}

/** One hostile change of a valid event: `apply` returns the changed copy. */
export interface Hostility {
  label: string;
  apply(event: Record<string, unknown>): Record<string, unknown>;
}

const set = (field: string, value: unknown, label: string): Hostility => ({
  label: `${label}: ${field} = ${preview(value)}`,
  apply: (event) => ({ ...event, [field]: value }),
});

export function hostility(now: () => number): fc.Arbitrary<Hostility> {
  return fc.oneof(
    fc
      .oneof(
        fc.constant(''),
        fc.string({ minLength: 1, maxLength: 20 }).filter((id) => !/^[A-Za-z0-9._:~-]+$/.test(id)),
        fc.integer({ min: 129, max: 5_000 }).map((length) => 'i'.repeat(length)),
        loneSurrogate,
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !Number.isInteger(value)),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.string({ maxLength: 3 }), { minLength: 1, maxLength: 2 }),
        fc.constant({ id: 'x' }),
      )
      .map((value) => set('id', value, 'bad id')),
    fc
      .oneof(
        fc.constant(''),
        fc.integer({ min: 101, max: 10_000 }).map((length) => 'T'.repeat(length)),
        fc.tuple(fc.string({ maxLength: 5 }), CONTROL).map(([text, control]) => `${text}${control}`),
        loneSurrogate,
        fc.constantFrom('identify', 'group', 'alias'),
        wrongScalar.filter((value) => typeof value !== 'string'),
        fc.constant(null),
      )
      .map((value) => set('type', value, 'bad type')),
    hostileTimestamp(now).map((value) => set('timestamp', value, 'bad timestamp')),
    fc
      .tuple(fc.constantFrom('properties', 'context'), hostilePayload)
      .map(([field, value]) => set(field, value, 'bad payload')),
    // A field EventInput does not have: prototype keys, or an attempt to name another profile.
    fc
      .tuple(
        fc.constantFrom(...HOSTILE_KEYS, 'profileId', 'userId', 'anonymousId', 'messageId', 'event'),
        SMALL_JSON,
      )
      .map(([key, value]): Hostility => ({
        label: `extra field ${key}`,
        apply: (event) => ({ ...event, ...own(key, value ?? 1) }),
      })),
  );
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Every own property name of the built-in prototypes, to prove nothing was added to them. */
export function prototypeFingerprint(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((prototype) => Object.getOwnPropertyNames(prototype).sort().join(','))
    .join('|');
}
