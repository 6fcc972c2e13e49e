/**
 * Checks of what callers hand the facade (`PersonalizerEngine`), thrown as `TypeError` before
 * anything is read or written. Events from the network are validated earlier and more strictly
 * (`engine/events/validate.ts`); these guard the in-process API.
 */
import type { JsonObject, VisitorEvent } from './types';

export function assertEvent(event: VisitorEvent, index: number): void {
  const where = `events[${index}]`;
  if (typeof event !== 'object' || event === null) throw new TypeError(`${where} must be an object`);
  if (typeof event.id !== 'string' || event.id.length === 0)
    throw new TypeError(`${where}.id must be a non-empty string`);
  if (typeof event.type !== 'string' || event.type.length === 0)
    throw new TypeError(`${where}.type must be a non-empty string`);
  if (!Number.isSafeInteger(event.timestamp) || event.timestamp < 0) {
    throw new TypeError(`${where}.timestamp must be a non-negative integer (epoch ms)`);
  }
  assertJsonObject(event.properties, `${where}.properties`);
  assertJsonObject(event.context, `${where}.context`);
}

export function assertJsonObject(value: unknown, what: string): asserts value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(`${what} must be an object`);
}

export function assertTopic(topic: string): void {
  if (typeof topic !== 'string' || topic.length === 0)
    throw new TypeError('topic must be a non-empty string');
}

export function assertNonce(nonce: string, until: number): void {
  if (typeof nonce !== 'string' || nonce.length === 0 || nonce.length > 256 || /[\s{}]/.test(nonce))
    throw new TypeError('nonce must be 1-256 characters without whitespace or braces');
  if (!Number.isFinite(until)) throw new TypeError('until must be a time (epoch ms)');
}
