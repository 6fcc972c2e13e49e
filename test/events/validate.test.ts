/** Event validation: both input shapes, normalization, and every refusal with its path and reason. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EVENT_LIMITS,
  EventValidationError,
  validateEvent,
  validateEvents,
} from '../../engine/events';

const NOW = Date.parse('2026-11-22T10:00:00Z');

function refusal(run: () => unknown): { path: string; reason: string; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EventValidationError);
    const { path, reason, message } = error as EventValidationError;
    return { path, reason, message };
  }
  throw new Error('expected an EventValidationError');
}

describe('validateEvent', () => {
  it('normalizes a Segment track call, ignoring identity fields', () => {
    const event = validateEvent(
      {
        type: 'track',
        event: 'Article Viewed',
        messageId: 'ajs-5f1c0b2e',
        timestamp: '2026-11-22T09:59:30.250Z',
        properties: { category: 'news', tags: ['a', 'b'], price: 12.5, extra: undefined },
        context: { timezone: 'Europe/Paris', page: { path: '/news' } },
        anonymousId: 'someone-else',
        userId: 'admin',
        sentAt: '2026-11-22T09:59:31Z',
        integrations: { All: true },
      },
      NOW,
    );
    expect(event).toEqual({
      id: 'ajs-5f1c0b2e',
      type: 'Article Viewed',
      timestamp: NOW - 29_750,
      properties: { category: 'news', tags: ['a', 'b'], price: 12.5 },
      context: { timezone: 'Europe/Paris', page: { path: '/news' } },
    });
  });

  it('turns page and screen calls into page and screen events, with the name as a property', () => {
    expect(validateEvent({ type: 'page', name: 'Home', messageId: 'm1' }, NOW)).toEqual({
      id: 'm1',
      type: 'page',
      timestamp: NOW,
      properties: { name: 'Home' },
      context: {},
    });
    expect(
      validateEvent({ type: 'screen', name: 'Cart', messageId: 'm2', properties: { name: 'kept' } }, NOW)
        .properties,
    ).toEqual({ name: 'kept' });
  });

  it('accepts the GraphQL shorthand, with epoch milliseconds or no timestamp', () => {
    expect(
      validateEvent(
        { id: 'e1', type: 'Product Viewed', timestamp: NOW - 1000, properties: { price: 3 } },
        NOW,
      ),
    ).toEqual({
      id: 'e1',
      type: 'Product Viewed',
      timestamp: NOW - 1000,
      properties: { price: 3 },
      context: {},
    });
    expect(validateEvent({ id: 'e2', type: 'Signed Up' }, NOW).timestamp).toBe(NOW);
  });

  it('copies payloads into fresh plain objects', () => {
    const properties = { nested: { a: 1 } };
    const event = validateEvent({ id: 'e', type: 'X', properties }, NOW);
    expect(event.properties).not.toBe(properties);
    expect(event.properties.nested).not.toBe(properties.nested);
    expect(Object.getPrototypeOf(event.properties)).toBe(Object.prototype);
  });

  const limits = DEFAULT_EVENT_LIMITS;
  const deep = { a: { b: { c: { d: { e: { f: 1 } } } } } };
  const wide = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i]));
  const manyKeys = Object.fromEntries(
    Array.from({ length: 5 }, (_, i) => [
      `o${i}`,
      Object.fromEntries(Array.from({ length: 60 }, (_, j) => [`k${j}`, j])),
    ]),
  );
  const cases: Array<[string, unknown, string, string]> = [
    ['a non-object', 'click', '', 'an event must be an object, got string'],
    ['a missing id', { type: 'X' }, 'id', 'is required'],
    ['a numeric id', { id: 3, type: 'X' }, 'id', 'must be a string, got number'],
    ['an id with spaces', { id: 'a b', type: 'X' }, 'id', 'may only contain letters, digits and . _ : ~ -'],
    ['a too long id', { id: 'a'.repeat(129), type: 'X' }, 'id', 'is longer than 128 characters'],
    ['a missing messageId', { type: 'track', event: 'X' }, 'messageId', 'is required'],
    [
      'a track call without event',
      { type: 'track', messageId: 'm' },
      'event',
      'track calls need an event name',
    ],
    [
      'an identify call',
      { type: 'identify', messageId: 'm', traits: {} },
      'type',
      '"identify" calls are not events (use the identify mutation for traits)',
    ],
    ['an empty type', { id: 'e', type: '' }, 'type', 'must not be empty'],
    ['a too long type', { id: 'e', type: 'x'.repeat(101) }, 'type', 'is longer than 100 characters'],
    [
      'a control character in the name',
      { id: 'e', type: 'a\u0000b' },
      'type',
      'must not contain control characters',
    ],
    [
      'a non-string userId',
      { type: 'track', event: 'A', messageId: 'm', userId: 5 },
      'userId',
      'must be a string',
    ],
    [
      'a far-future timestamp',
      { id: 'e', type: 'X', timestamp: NOW + 10 * 60_000 },
      'timestamp',
      'is 10m in the future (at most 5m ahead of the server clock)',
    ],
    [
      'a stale timestamp',
      { id: 'e', type: 'X', timestamp: '2026-11-20T10:00:00Z' },
      'timestamp',
      'is 48h in the past (at most 24h old)',
    ],
    [
      'a timestamp without zone',
      { id: 'e', type: 'X', timestamp: '2026-11-22T10:00:00' },
      'timestamp',
      'must be ISO-8601 with a zone (e.g. 2026-11-22T10:00:00Z) or epoch milliseconds, got "2026-11-22T10:00:00"',
    ],
    [
      'an impossible date',
      { id: 'e', type: 'X', timestamp: '2026-13-45T10:00:00Z' },
      'timestamp',
      '"2026-13-45T10:00:00Z" is not a valid date',
    ],
    [
      'a fractional epoch',
      { id: 'e', type: 'X', timestamp: NOW + 0.5 },
      'timestamp',
      `must be whole epoch milliseconds, got ${NOW + 0.5}`,
    ],
    [
      'properties that are not an object',
      { id: 'e', type: 'X', properties: [1] },
      'properties',
      'must be an object, got an array',
    ],
    [
      'a __proto__ key',
      JSON.parse('{"id":"e","type":"X","properties":{"a":{"__proto__":{"admin":true}}}}'),
      'properties.a.__proto__',
      '"__proto__" is not allowed as a key',
    ],
    [
      'a constructor key',
      { id: 'e', type: 'X', context: { constructor: { prototype: 1 } } },
      'context.constructor',
      '"constructor" is not allowed as a key',
    ],
    [
      'a top-level __proto__',
      JSON.parse('{"id":"e","type":"X","__proto__":{"x":1}}'),
      '__proto__',
      '"__proto__" is not allowed as a key',
    ],
    [
      'too deep',
      { id: 'e', type: 'X', properties: deep },
      'properties.a.b.c.d.e',
      'nests deeper than 5 levels',
    ],
    [
      'too many keys in one object',
      { id: 'e', type: 'X', properties: wide },
      'properties',
      'has 65 keys (at most 64)',
    ],
    [
      'too many keys in total',
      { id: 'e', type: 'X', properties: manyKeys },
      'properties.o4',
      'brings the payload over 256 keys and elements in total',
    ],
    [
      'a long string',
      { id: 'e', type: 'X', properties: { text: 'x'.repeat(limits.maxStringLength + 1) } },
      'properties.text',
      'is 1025 characters long (at most 1024)',
    ],
    [
      'NaN',
      { id: 'e', type: 'X', properties: { price: NaN } },
      'properties.price',
      'must be a finite number, got NaN',
    ],
    [
      'a Date object',
      { id: 'e', type: 'X', properties: { at: new Date(NOW) } },
      'properties.at',
      'must be JSON data, got an object',
    ],
    [
      'a function',
      { id: 'e', type: 'X', properties: { f: () => 1 } },
      'properties.f',
      'must be JSON data, got function',
    ],
    [
      'an oversized event',
      {
        id: 'e',
        type: 'X',
        properties: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`t${i}`, 'x'.repeat(1000)])),
      },
      '',
      'the event is 9147 bytes as JSON (at most 8192)',
    ],
  ];

  it.each(cases)('refuses %s', (_name, raw, path, reason) => {
    const error = refusal(() => validateEvent(raw, NOW));
    expect(error).toEqual({ path, reason, message: path ? `${path}: ${reason}` : reason });
  });

  it('never lets a hostile key reach an object prototype', () => {
    refusal(() =>
      validateEvent(JSON.parse('{"id":"e","type":"X","properties":{"__proto__":{"polluted":true}}}'), NOW),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('takes configurable limits', () => {
    expect(
      refusal(() => validateEvent({ id: 'e', type: 'Long Name' }, NOW, { maxTypeLength: 4 })).reason,
    ).toBe('is longer than 4 characters');
    expect(
      validateEvent({ id: 'e', type: 'X', timestamp: NOW + 10 * 60_000 }, NOW, { maxFutureSkewMs: 3_600_000 })
        .timestamp,
    ).toBe(NOW + 10 * 60_000);
    expect(() => validateEvent({ id: 'e', type: 'X' }, NOW, { maxDepth: -1 })).toThrow(
      'event limit "maxDepth" must be a non-negative integer, got -1',
    );
  });
});

describe('validateEvents', () => {
  it('validates a batch', () => {
    const { events } = validateEvents(
      [
        { id: 'a', type: 'X' },
        { type: 'page', messageId: 'b' },
      ],
      NOW,
    );
    expect(events.map((event) => [event.id, event.type])).toEqual([
      ['a', 'X'],
      ['b', 'page'],
    ]);
  });

  it('refuses the whole batch with the position of the first bad event', () => {
    expect(
      refusal(() =>
        validateEvents(
          [
            { id: 'a', type: 'X' },
            { id: 'b', type: 'Y', properties: { price: Infinity } },
          ],
          NOW,
        ),
      ),
    ).toEqual({
      path: 'events[1].properties.price',
      reason: 'must be a finite number, got Infinity',
      message: 'events[1].properties.price: must be a finite number, got Infinity',
    });
    expect(refusal(() => validateEvents([7], NOW)).message).toBe(
      'events[0]: an event must be an object, got number',
    );
  });

  it('bounds the batch', () => {
    expect(refusal(() => validateEvents({}, NOW)).message).toBe('events: must be an array, got an object');
    expect(refusal(() => validateEvents([], NOW)).message).toBe('events: must contain at least one event');
    const batch = Array.from({ length: 101 }, (_, i) => ({ id: `e${i}`, type: 'X' }));
    expect(refusal(() => validateEvents(batch, NOW)).message).toBe(
      'events: has 101 events (at most 100 per batch)',
    );
  });
});
