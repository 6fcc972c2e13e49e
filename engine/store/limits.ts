/**
 * Per-profile bounds, the same in both stores (see "Bounds" in README.md): what one visitor can
 * make a profile hold is bounded by construction, so no caller can make every later read of the
 * profile slower or its keys bigger by sending more.
 *
 * - **Context**: only the paths the compiled rules read (`CompiledRuleSet.contextPaths`) plus a
 *   small fixed allowance of common Segment context paths are kept of an event's `context`; every
 *   other key is dropped at ingest, and a kept value over `maxContextValueBytes` is dropped too.
 * - **Traits**: at most `maxTraits` traits and `maxTraitBytes` bytes per profile; a write past
 *   either is refused whole (`ProfileLimitError`), never truncated.
 * - **`seen`** (the de-duplication set): at most `maxSeenIds` event ids as well as the age window,
 *   the oldest dropped first.
 */
import { createHash } from 'node:crypto';
import type { JsonObject, JsonValue } from '../types';

export interface ProfileLimits {
  /** Most traits a profile holds. */
  maxTraits: number;
  /** Most bytes of traits a profile holds: UTF-8 bytes of each key plus its JSON value. */
  maxTraitBytes: number;
  /** Most event ids remembered for de-duplication per profile (the oldest go first). */
  maxSeenIds: number;
  /** Largest stored context value (one top-level key, as JSON, in UTF-8 bytes); larger ones are dropped. */
  maxContextValueBytes: number;
  /** Context dot paths kept besides the ones the rules read. */
  contextAllowance: readonly string[];
}

/**
 * Common Segment context paths kept even when no rule reads them yet, so a rule added later on
 * one of them works at once for visitors already seen. Small and without identifiers: no
 * `ip`, no user agent, no full URL.
 */
export const DEFAULT_CONTEXT_ALLOWANCE: readonly string[] = Object.freeze([
  'timezone',
  'locale',
  'device.type',
  'os.name',
  'screen.width',
  'screen.height',
  'page.path',
  'page.referrer',
  'campaign.source',
  'campaign.medium',
  'campaign.name',
  'app.version',
  'location.country',
]);

/** 100 traits, 16 KiB of traits, 10,000 remembered event ids, 2 KiB per context value. */
export const DEFAULT_PROFILE_LIMITS: Readonly<ProfileLimits> = Object.freeze({
  maxTraits: 100,
  maxTraitBytes: 16 * 1024,
  maxSeenIds: 10_000,
  maxContextValueBytes: 2 * 1024,
  contextAllowance: DEFAULT_CONTEXT_ALLOWANCE,
});

const INTEGER_LIMITS = ['maxTraits', 'maxTraitBytes', 'maxSeenIds', 'maxContextValueBytes'] as const;
const PATH = /^[^.]{1,128}(\.[^.]{1,128}){0,7}$/;
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);
/** Paths in the allowance, at most: it is meant to be small. */
const MAX_ALLOWANCE = 64;

/**
 * `DEFAULT_PROFILE_LIMITS` overridden by `limits`. Refuses an unknown name (a typo must not switch
 * a bound off), a value that is not a positive integer, and a bad allowance path.
 */
export function resolveProfileLimits(limits: Partial<ProfileLimits> | undefined): Readonly<ProfileLimits> {
  if (limits === undefined) return DEFAULT_PROFILE_LIMITS;
  if (typeof limits !== 'object' || limits === null) throw new TypeError('profileLimits must be an object');
  const resolved: ProfileLimits = { ...DEFAULT_PROFILE_LIMITS };
  for (const [name, value] of Object.entries(limits)) {
    if (value === undefined) continue;
    if (name === 'contextAllowance') {
      resolved.contextAllowance = Object.freeze(checkedAllowance(value));
    } else if ((INTEGER_LIMITS as readonly string[]).includes(name)) {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
        throw new TypeError(`profileLimits.${name} must be a positive integer, got ${String(value)}`);
      resolved[name as (typeof INTEGER_LIMITS)[number]] = value;
    } else {
      throw new TypeError(`unknown profile limit "${name}"`);
    }
  }
  return Object.freeze(resolved);
}

function checkedAllowance(value: unknown): string[] {
  if (!Array.isArray(value)) throw new TypeError('profileLimits.contextAllowance must be an array of paths');
  if (value.length > MAX_ALLOWANCE)
    throw new TypeError(`profileLimits.contextAllowance holds at most ${MAX_ALLOWANCE} paths`);
  for (const path of value) {
    if (
      typeof path !== 'string' ||
      !PATH.test(path) ||
      path.split('.').some((segment) => FORBIDDEN_SEGMENTS.has(segment))
    )
      throw new TypeError(`profileLimits.contextAllowance: ${JSON.stringify(path)} is not a context path`);
  }
  return [...value] as string[];
}

/** The bound a refused trait write would have passed. */
export type ProfileLimitName = 'maxTraits' | 'maxTraitBytes';

/**
 * A write refused because the profile would exceed a bound. Nothing of the write was stored.
 * The GraphQL layer answers it as `BAD_USER_INPUT` with `extensions.limit`.
 */
export class ProfileLimitError extends Error {
  override readonly name = 'ProfileLimitError';
  constructor(
    readonly limit: ProfileLimitName,
    readonly max: number,
    readonly actual: number,
  ) {
    super(
      limit === 'maxTraits'
        ? `a profile holds at most ${max} traits (${limit}); this write would make ${actual}`
        : `a profile holds at most ${max} bytes of traits (${limit}); this write would make ${actual}`,
    );
  }
}

/** Bytes a trait takes against `maxTraitBytes`: its key and its JSON value, UTF-8. */
export function traitBytes(key: string, json: string): number {
  return Buffer.byteLength(key) + Buffer.byteLength(json);
}

/**
 * The trait bounds check both stores make (the Redis scripts the same way, on bytes): refused when
 * the result is over a bound and larger than before, so a profile over a bound lowered since can
 * still shrink.
 */
export function traitLimitExceeded(
  before: { count: number; bytes: number },
  after: { count: number; bytes: number },
  limits: Pick<ProfileLimits, 'maxTraits' | 'maxTraitBytes'>,
): ProfileLimitError | null {
  if (after.count > limits.maxTraits && after.count > before.count)
    return new ProfileLimitError('maxTraits', limits.maxTraits, after.count);
  if (after.bytes > limits.maxTraitBytes && after.bytes > before.bytes)
    return new ProfileLimitError('maxTraitBytes', limits.maxTraitBytes, after.bytes);
  return null;
}

/** Count and bytes of a traits object, as the bounds count them. */
export function traitsSize(traits: JsonObject): { count: number; bytes: number } {
  let count = 0;
  let bytes = 0;
  for (const [key, value] of Object.entries(traits)) {
    count += 1;
    bytes += traitBytes(key, JSON.stringify(value));
  }
  return { count, bytes };
}

/** A trie of kept paths: `true` keeps the whole value below. */
type PathTree = Map<string, PathTree | true>;

/**
 * What the stores keep of event contexts under one rule set: the rules' paths plus the allowance.
 * Stored per top-level key (`c:<key>` on Redis), each value projected onto the kept paths below it,
 * so reading any kept path from the stored context gives what reading it from the newest event
 * that sent that top-level key gives.
 */
export class ContextPolicy {
  /** Top-level keys kept, sorted. */
  readonly keys: readonly string[];
  /** Names the kept paths and the value bound: a profile stored under another one is pruned. */
  readonly fingerprint: string;
  private readonly tree: PathTree = new Map();

  constructor(
    paths: readonly string[],
    readonly maxValueBytes: number,
  ) {
    for (const path of paths) {
      let node: PathTree = this.tree;
      const segments = path.split('.');
      for (let index = 0; index < segments.length; index++) {
        const segment = segments[index]!;
        const below = node.get(segment);
        // A whole value kept above this path already keeps it (`device`, then `device.type`).
        if (below === true) break;
        if (index === segments.length - 1) node.set(segment, true);
        else if (below === undefined) node.set(segment, (node = new Map()));
        else node = below;
      }
    }
    this.keys = Object.freeze([...this.tree.keys()].sort());
    this.fingerprint = createHash('sha256')
      .update(JSON.stringify([[...paths].sort(), maxValueBytes]))
      .digest('hex')
      .slice(0, 16);
  }

  /** Whether a top-level context key is kept. */
  keeps(key: string): boolean {
    return this.tree.has(key);
  }

  /**
   * What to store for one top-level key of an event's context: `undefined` when the key is not
   * kept (nothing changes), `null` when the event's value holds none of the kept paths or is over
   * the byte bound (the stored value is deleted, as the event's value would have replaced it),
   * else the projected value and its JSON.
   */
  project(key: string, value: JsonValue): { value: JsonValue; json: string } | null | undefined {
    const node = this.tree.get(key);
    if (node === undefined) return undefined;
    const projected = node === true ? value : projectValue(value, node);
    if (projected === undefined) return null;
    const json = JSON.stringify(projected);
    if (json.length > this.maxValueBytes) return null;
    if (json.length * 3 > this.maxValueBytes && Buffer.byteLength(json) > this.maxValueBytes) return null;
    return { value: projected, json };
  }

  /** Merges an event's context onto a stored one, key by key, as the stores do. */
  apply(target: JsonObject, context: JsonObject): void {
    for (const key of Object.keys(context)) {
      const kept = this.project(key, context[key]!);
      if (kept === null) delete target[key];
      else if (kept !== undefined) target[key] = kept.value;
    }
  }

  /** Deletes the keys of a stored context this policy does not keep. */
  prune(target: JsonObject): void {
    for (const key of Object.keys(target)) if (!this.tree.has(key)) delete target[key];
  }
}

function projectValue(value: JsonValue, tree: PathTree): JsonValue | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  let out: JsonObject | undefined;
  for (const [segment, below] of tree) {
    if (!Object.hasOwn(value, segment)) continue;
    const child = value[segment]!;
    const kept = below === true ? child : projectValue(child, below);
    if (kept === undefined) continue;
    (out ??= {})[segment] = kept;
  }
  return out;
}
