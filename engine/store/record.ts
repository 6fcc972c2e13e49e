/**
 * Encoding shared by the stores: stream members, and the decoding of a profile hash (as the
 * Redis scripts return it) into a `ProfileRecord`.
 */
import type { JsonObject, JsonValue, MembershipState, StreamFacts } from '../types';
import type { ProfileRecord } from './types';
import { HASH_FIELD_PREFIXES, HASH_FIELDS } from './redis/fields';

/** Separates the event id from the value in a stream member. */
export const VALUE_SEPARATOR = '\x1f';

/** A stream member: the event id keeps it unique per event, the value rides along. */
export function streamMember(eventId: string, value: string | undefined): string {
  return value === undefined ? eventId : `${eventId}${VALUE_SEPARATOR}${value}`;
}

/** Throws when an event id could not be told apart from its value in a stream member. */
export function assertEventId(id: string): void {
  if (id.includes(VALUE_SEPARATOR)) throw new TypeError('event id must not contain the \\x1f character');
}

/** Builds stream facts from `[member, score, member, score...]` (ascending by score). */
export function streamFactsFromPairs(pairs: readonly string[], carriesValue: boolean): StreamFacts {
  const times: number[] = [];
  const values: string[] = [];
  for (let i = 0; i < pairs.length; i += 2) {
    times.push(Number(pairs[i + 1]));
    if (carriesValue) {
      const member = pairs[i]!;
      const at = member.indexOf(VALUE_SEPARATOR);
      values.push(at < 0 ? '' : member.slice(at + 1));
    }
  }
  return carriesValue ? { times, values } : { times };
}

/** An empty record for an id nothing is stored for. */
export function emptyRecord(id: string): ProfileRecord {
  return {
    id,
    exists: false,
    version: 0,
    rulesVersion: null,
    memberships: {},
    dueAt: null,
    traits: {},
    context: {},
    consent: { behavioral: true },
    userId: null,
    streams: {},
  };
}

/**
 * `record` with the fields of `changes` replaced, built field by field (a field of `changes` left
 * `undefined` keeps the record's).
 *
 * Not `{ ...record, ...changes }`: on the hot path (a copy per event) the objects a spread copy
 * pointed to were promoted by V8 though nothing kept them (figures: bench/README.md, "ingest").
 */
export function withFields(record: ProfileRecord, changes: Partial<ProfileRecord>): ProfileRecord {
  const copy: ProfileRecord = {
    id: changes.id ?? record.id,
    exists: changes.exists ?? record.exists,
    version: changes.version ?? record.version,
    rulesVersion: changes.rulesVersion !== undefined ? changes.rulesVersion : record.rulesVersion,
    memberships: changes.memberships ?? record.memberships,
    dueAt: changes.dueAt !== undefined ? changes.dueAt : record.dueAt,
    traits: changes.traits ?? record.traits,
    context: changes.context ?? record.context,
    consent: changes.consent ?? record.consent,
    userId: changes.userId !== undefined ? changes.userId : record.userId,
    streams: changes.streams ?? record.streams,
  };
  const firstSeenAt = changes.firstSeenAt ?? record.firstSeenAt;
  if (firstSeenAt !== undefined) copy.firstSeenAt = firstSeenAt;
  const contextAt = changes.contextAt ?? record.contextAt;
  if (contextAt !== undefined) copy.contextAt = contextAt;
  return copy;
}

function parseJson(text: string): JsonValue {
  return JSON.parse(text) as JsonValue;
}

/**
 * Decodes a profile hash (flat `[field, value...]`) and the requested streams' members into a
 * record. `streams` lists the requested streams in the order the replies come in.
 */
export function decodeRecord(
  id: string,
  hash: readonly string[],
  streamReplies: ReadonlyArray<readonly string[]>,
  streams: ReadonlyArray<{ id: string; carriesValue?: boolean }>,
): ProfileRecord {
  const record = emptyRecord(id);
  if (hash.length === 0) return record;
  record.exists = true;
  const traits: JsonObject = {};
  const context: JsonObject = {};
  const memberships: Record<string, MembershipState> = {};
  const firstLast = new Map<string, [number, number]>();
  for (let i = 0; i < hash.length; i += 2) {
    const field = hash[i]!;
    const value = hash[i + 1]!;
    switch (field.slice(0, 2)) {
      case HASH_FIELD_PREFIXES.trait:
        traits[field.slice(2)] = parseJson(value);
        continue;
      case HASH_FIELD_PREFIXES.context:
        context[field.slice(2)] = parseJson(value);
        continue;
      case HASH_FIELD_PREFIXES.membership:
        memberships[field.slice(2)] = { since: Number(value) };
        continue;
      case HASH_FIELD_PREFIXES.stream: {
        const [first, last] = value.split(':').map(Number);
        firstLast.set(field.slice(2), [first!, last!]);
        continue;
      }
    }
    switch (field) {
      case HASH_FIELDS.version:
        record.version = Number(value);
        break;
      case HASH_FIELDS.rulesVersion:
        record.rulesVersion = value;
        break;
      case HASH_FIELDS.dueAt:
        record.dueAt = Number(value);
        break;
      case HASH_FIELDS.consent:
        record.consent = { behavioral: value !== '0' };
        break;
      case HASH_FIELDS.userId:
        record.userId = value;
        break;
      case HASH_FIELDS.firstSeenAt:
        record.firstSeenAt = Number(value);
        break;
      case HASH_FIELDS.contextAt:
        record.contextAt = Number(value);
        break;
    }
  }
  record.traits = traits;
  record.context = context;
  record.memberships = memberships;
  streams.forEach((stream, index) => {
    const pairs = streamReplies[index] ?? [];
    const known = firstLast.get(stream.id);
    if (pairs.length === 0 && !known) return;
    const facts = streamFactsFromPairs(pairs, stream.carriesValue ?? false);
    if (known) [facts.firstSeen, facts.lastSeen] = known;
    record.streams[stream.id] = facts;
  });
  return record;
}
