/**
 * Copies untrusted `properties`/`context` into fresh plain JSON, enforcing the limits on the way.
 * Nothing of the input object is kept (no getters, no prototypes, no shared references), and keys
 * that could alter an object's prototype (`__proto__`, `constructor`, `prototype`) are refused
 * with a reason rather than dropped silently.
 */
import type { JsonObject, JsonValue } from '../types';
import { EventValidationError } from './errors';
import type { EventLimits } from './limits';

const HOSTILE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/**
 * A lone surrogate (invalid UTF-16): it cannot be encoded as UTF-8, so Redis would store U+FFFD
 * instead and two different keys or values would collide. Refused rather than stored rewritten.
 */
export const LONE_SURROGATE = /\p{Cs}/u;
export const LONE_SURROGATE_REASON = 'contains a lone surrogate (not valid Unicode)';

/** Validates and copies a JSON object found at `path` (`properties`, `context`). */
export function copyJsonObject(value: unknown, path: string, limits: Readonly<EventLimits>): JsonObject {
  if (!isRecord(value)) throw new EventValidationError(path, `must be an object, got ${kindOf(value)}`);
  const budget = { keys: 0 };
  return copyObject(value, path, limits, 1, budget);
}

function copyObject(
  value: Record<string, unknown>,
  path: string,
  limits: Readonly<EventLimits>,
  depth: number,
  budget: { keys: number },
): JsonObject {
  if (depth > limits.maxDepth)
    throw new EventValidationError(path, `nests deeper than ${limits.maxDepth} levels`);
  const keys = Object.keys(value);
  if (keys.length > limits.maxKeysPerObject)
    throw new EventValidationError(path, `has ${keys.length} keys (at most ${limits.maxKeysPerObject})`);
  countKeys(keys.length, path, limits, budget);
  const copy: JsonObject = {};
  for (const key of keys) {
    const at = `${path}.${key}`;
    if (HOSTILE_KEYS.has(key)) throw new EventValidationError(at, `"${key}" is not allowed as a key`);
    if (key.length === 0 || key.length > limits.maxKeyLength)
      throw new EventValidationError(at, `keys are 1 to ${limits.maxKeyLength} characters`);
    if (LONE_SURROGATE.test(key)) throw new EventValidationError(at, `the key ${LONE_SURROGATE_REASON}`);
    const item = copyValue(value[key], at, limits, depth, budget);
    if (item !== undefined) copy[key] = item;
  }
  return copy;
}

/** `undefined` members are dropped, as `JSON.stringify` would. */
function copyValue(
  value: unknown,
  path: string,
  limits: Readonly<EventLimits>,
  depth: number,
  budget: { keys: number },
): JsonValue | undefined {
  switch (typeof value) {
    case 'undefined':
      return undefined;
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value))
        throw new EventValidationError(path, `must be a finite number, got ${value}`);
      return value;
    case 'string':
      if (value.length > limits.maxStringLength)
        throw new EventValidationError(
          path,
          `is ${value.length} characters long (at most ${limits.maxStringLength})`,
        );
      if (LONE_SURROGATE.test(value)) throw new EventValidationError(path, LONE_SURROGATE_REASON);
      return value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        if (depth + 1 > limits.maxDepth)
          throw new EventValidationError(path, `nests deeper than ${limits.maxDepth} levels`);
        if (value.length > limits.maxKeysPerObject)
          throw new EventValidationError(
            path,
            `has ${value.length} elements (at most ${limits.maxKeysPerObject})`,
          );
        countKeys(value.length, path, limits, budget);
        // Array.from also visits holes of sparse arrays (as null, like JSON).
        return Array.from(
          value,
          (item, index) => copyValue(item, `${path}[${index}]`, limits, depth + 1, budget) ?? null,
        );
      }
      if (!isRecord(value)) throw new EventValidationError(path, `must be JSON data, got ${kindOf(value)}`);
      return copyObject(value, path, limits, depth + 1, budget);
    }
    default:
      throw new EventValidationError(path, `must be JSON data, got ${typeof value}`);
  }
}

function countKeys(
  count: number,
  path: string,
  limits: Readonly<EventLimits>,
  budget: { keys: number },
): void {
  budget.keys += count;
  if (budget.keys > limits.maxTotalKeys)
    throw new EventValidationError(
      path,
      `brings the payload over ${limits.maxTotalKeys} keys and elements in total`,
    );
}

/** A plain data object: `{}` or `Object.create(null)` (not a Date, Map, class instance...). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** A short name for a value's kind, for messages. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
