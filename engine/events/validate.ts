/**
 * Raw input -> `VisitorEvent`. Two shapes are accepted:
 *
 * - Segment tracking spec calls, as a CDP forwards them:
 *   `{ type: "track", event: "Article Viewed", messageId, timestamp, properties, context }`, and
 *   `{ type: "page" | "screen", name?, messageId, ... }` (the event is `page`/`screen`; `name` goes
 *   to `properties.name` unless already there). Other Segment fields (`anonymousId`, `userId`,
 *   `sentAt`, `integrations`...) are accepted and ignored: the signed profile token, never the
 *   payload, decides whose profile an event lands on. `identify`, `group` and `alias` calls are
 *   refused: they are not events (use the identify mutation).
 * - The shorthand of the GraphQL `EventInput`: `{ id, type: "Article Viewed", timestamp?, properties?, context? }`
 *   where `type` is the event name.
 *
 * A Segment call's id is its `messageId` (`id` is accepted too). The envelope is checked with zod; `properties` and `context` are copied by `copyJsonObject`
 * under the limits. Errors carry the path and the reason (`properties.price: must be ...`).
 */
import { z } from 'zod';
import type { EpochMs, VisitorEvent } from '../types';
import { EventValidationError } from './errors';
import { resolveLimits, type EventLimits } from './limits';
import { copyJsonObject, isRecord, kindOf } from './payload';
import { parseTimestamp } from './timestamp';

const EVENT_CALLS = new Set(['track', 'page', 'screen']);
const NON_EVENT_CALLS = new Set(['identify', 'group', 'alias']);
const ID = /^[A-Za-z0-9._:~-]+$/;
/** Event names: printable text, no control characters. */
const NAME = /^[^\p{Cc}]+$/u;
/** No lone surrogate: it cannot be encoded as UTF-8 (Redis would store U+FFFD, names would collide). */
const WELL_FORMED = /^[^\p{Cs}]*$/u;

function envelopeSchema(limits: Readonly<EventLimits>) {
  const name = z
    .string({ error: (issue) => `must be a string, got ${kindOf(issue.input)}` })
    .min(1, { error: 'must not be empty' })
    .max(limits.maxTypeLength, { error: `is longer than ${limits.maxTypeLength} characters` })
    .regex(NAME, { error: 'must not contain control characters' })
    .regex(WELL_FORMED, { error: 'contains a lone surrogate (not valid Unicode)' });
  const id = z
    .string({ error: (issue) => `must be a string, got ${kindOf(issue.input)}` })
    .min(1, { error: 'must not be empty' })
    .max(limits.maxIdLength, { error: `is longer than ${limits.maxIdLength} characters` })
    .regex(ID, { error: 'may only contain letters, digits and . _ : ~ -' });
  // `timestamp`, `properties` and `context` are checked by their own functions below.
  const common = {
    anonymousId: z.union([z.string(), z.null()], { error: 'must be a string' }).optional(),
    userId: z.union([z.string(), z.null()], { error: 'must be a string' }).optional(),
  };
  const segmentCall = z.object({
    ...common,
    type: z.enum(['track', 'page', 'screen']),
    messageId: id.optional(),
    id: id.optional(),
    event: name.optional(),
    name: name.optional(),
  });
  const shorthand = z.object({ ...common, type: name, id });
  return { segmentCall, shorthand };
}

type Schemas = ReturnType<typeof envelopeSchema>;
const schemasByLimits = new Map<string, Schemas>();

/**
 * The schemas for these limits, built once per distinct pair of lengths: building one costs about
 * 50 times a validation (zod compiles it), and `track` passes limits on every call.
 */
function schemasFor(limits: Readonly<EventLimits>): Schemas {
  const key = `${limits.maxTypeLength}:${limits.maxIdLength}`;
  let schemas = schemasByLimits.get(key);
  if (!schemas) {
    // Limits come from configuration, so few pairs ever exist; the cap only guards against misuse.
    if (schemasByLimits.size >= 16) schemasByLimits.clear();
    schemasByLimits.set(key, (schemas = envelopeSchema(limits)));
  }
  return schemas;
}

/**
 * Validates one raw event received at `now` and returns it normalized; throws
 * `EventValidationError` (path and reason) on the first problem.
 */
export function validateEvent(raw: unknown, now: EpochMs, limits?: Partial<EventLimits>): VisitorEvent {
  const resolved = resolveLimits(limits);
  return validateOne(raw, now, resolved, schemasFor(resolved));
}

/**
 * Validates a batch (an array of raw events). All or nothing: the first invalid event refuses the
 * whole batch with its position in the path (`events[3].timestamp: ...`), so a client never has to
 * work out which half of a batch was stored.
 */
export function validateEvents(
  raw: unknown,
  now: EpochMs,
  limits?: Partial<EventLimits>,
): { events: VisitorEvent[] } {
  const resolved = resolveLimits(limits);
  const schemas = schemasFor(resolved);
  if (!Array.isArray(raw)) throw new EventValidationError('events', `must be an array, got ${kindOf(raw)}`);
  if (raw.length === 0) throw new EventValidationError('events', 'must contain at least one event');
  if (raw.length > resolved.maxBatchSize)
    throw new EventValidationError(
      'events',
      `has ${raw.length} events (at most ${resolved.maxBatchSize} per batch)`,
    );
  const events: VisitorEvent[] = [];
  for (let index = 0; index < raw.length; index++) {
    try {
      events.push(validateOne(raw[index], now, resolved, schemas));
    } catch (error) {
      if (error instanceof EventValidationError) throw error.within(`events[${index}]`);
      throw error;
    }
  }
  return { events };
}

function validateOne(
  raw: unknown,
  now: EpochMs,
  limits: Readonly<EventLimits>,
  schemas: Schemas,
): VisitorEvent {
  if (!isRecord(raw)) throw new EventValidationError('', `an event must be an object, got ${kindOf(raw)}`);
  for (const key of ['__proto__', 'constructor', 'prototype'])
    if (Object.hasOwn(raw, key)) throw new EventValidationError(key, `"${key}" is not allowed as a key`);
  const call = raw.type;
  if (typeof call === 'string' && NON_EVENT_CALLS.has(call))
    throw new EventValidationError(
      'type',
      `"${call}" calls are not events (use the identify mutation for traits)`,
    );
  let id: string;
  let type: string;
  let name: string | undefined;
  if (typeof call === 'string' && EVENT_CALLS.has(call)) {
    const envelope = parse(schemas.segmentCall, raw);
    id = envelope.messageId ?? envelope.id ?? fail('messageId', 'is required');
    if (envelope.type === 'track') {
      if (envelope.event === undefined)
        throw new EventValidationError('event', 'track calls need an event name');
      type = envelope.event;
    } else {
      type = envelope.type;
      name = envelope.name;
    }
  } else {
    const envelope = parse(schemas.shorthand, raw);
    id = envelope.id;
    type = envelope.type;
  }
  const timestamp = parseTimestamp(raw.timestamp, now, limits);
  const properties = raw.properties === undefined ? {} : copyJsonObject(raw.properties, 'properties', limits);
  const context = raw.context === undefined ? {} : copyJsonObject(raw.context, 'context', limits);
  if (name !== undefined && !Object.hasOwn(properties, 'name')) properties.name = name;
  const event: VisitorEvent = { id, type, timestamp, properties, context };
  const bytes = Buffer.byteLength(JSON.stringify(event));
  if (bytes > limits.maxEventBytes)
    throw new EventValidationError(
      '',
      `the event is ${bytes} bytes as JSON (at most ${limits.maxEventBytes})`,
    );
  return event;
}

/** Runs a zod schema and turns its first issue into an `EventValidationError`. */
function parse<T>(schema: z.ZodType<T>, raw: unknown): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path
    .map((segment) => (typeof segment === 'number' ? `[${segment}]` : String(segment)))
    .join('.');
  const missing = issue.code === 'invalid_type' && valueAt(raw, issue.path) === undefined;
  return fail(path, missing ? 'is required' : issue.message);
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = raw;
  for (const segment of path)
    value = isRecord(value) && Object.hasOwn(value, segment) ? value[segment as string] : undefined;
  return value;
}

function fail(path: string, reason: string): never {
  throw new EventValidationError(path, reason);
}
