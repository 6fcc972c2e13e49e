/**
 * Whatever arrives, validation either returns an event within every limit or throws an
 * `EventValidationError` with a path and a reason: never another error, never a polluted prototype.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EVENT_LIMITS,
  EventValidationError,
  validateEvent,
  validateEvents,
} from '../../engine/events';

const NOW = Date.parse('2026-11-22T10:00:00Z');
const key = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'name', 'price'),
);
const payload = fc.oneof(
  fc.jsonValue({ maxDepth: 7 }),
  fc.dictionary(key, fc.jsonValue({ maxDepth: 6 }), { maxKeys: 80 }),
  fc.anything({
    maxDepth: 3,
    withNullPrototype: true,
    withObjectString: true,
    withMap: true,
    withDate: true,
  }),
);
const rawEvent = fc.oneof(
  fc.record(
    {
      type: fc.oneof(
        fc.constantFrom('track', 'page', 'screen', 'identify', 'Article Viewed'),
        fc.string({ maxLength: 120 }),
      ),
      event: fc.string({ maxLength: 110 }),
      id: fc.oneof(fc.string({ maxLength: 140 }), fc.integer()),
      messageId: fc.string({ maxLength: 20 }),
      name: fc.string({ maxLength: 20 }),
      timestamp: fc.oneof(
        fc.integer({ min: NOW - 2 * 86_400_000, max: NOW + 3_600_000 }),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.string(),
        fc.double(),
      ),
      properties: payload,
      context: payload,
      userId: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);

function checkEvent(event: ReturnType<typeof validateEvent>): void {
  expect(event.id.length).toBeGreaterThan(0);
  expect(event.type.length).toBeLessThanOrEqual(DEFAULT_EVENT_LIMITS.maxTypeLength);
  expect(event.timestamp).toBeGreaterThanOrEqual(NOW - DEFAULT_EVENT_LIMITS.maxPastSkewMs);
  expect(event.timestamp).toBeLessThanOrEqual(NOW + DEFAULT_EVENT_LIMITS.maxFutureSkewMs);
  expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(DEFAULT_EVENT_LIMITS.maxEventBytes);
  // Plain JSON all the way down: a JSON round trip changes nothing.
  expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  for (const object of [event.properties, event.context])
    expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
}

describe('event validation under arbitrary input', () => {
  it('returns bounded plain events or throws EventValidationError', () => {
    fc.assert(
      fc.property(rawEvent, (raw) => {
        try {
          checkEvent(validateEvent(raw, NOW));
        } catch (error) {
          if (!(error instanceof EventValidationError)) throw error;
          expect(error.reason.length).toBeGreaterThan(0);
          expect(error.message).toBe(error.path ? `${error.path}: ${error.reason}` : error.reason);
        }
      }),
      { numRuns: 1_000 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('locates batch errors by index', () => {
    fc.assert(
      fc.property(fc.array(rawEvent, { minLength: 1, maxLength: 5 }), (batch) => {
        try {
          validateEvents(batch, NOW).events.forEach(checkEvent);
        } catch (error) {
          if (!(error instanceof EventValidationError)) throw error;
          expect(error.path).toMatch(/^events(\[\d\])?/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
