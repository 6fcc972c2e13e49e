/**
 * `withFields`, the copy the hot path makes of a record per event (see its comment for why it is
 * not an object spread): it must mean exactly what `{ ...record, ...changes }` means for the
 * fields it is given, and leave the record it copies alone.
 */
import { describe, expect, it } from 'vitest';
import { emptyRecord, withFields } from '../../engine/store/record';
import type { ProfileRecord } from '../../engine/store/types';

const stored: ProfileRecord = {
  ...emptyRecord('p1'),
  exists: true,
  version: 3,
  rulesVersion: 'r1',
  memberships: { reader: { since: 1000 } },
  dueAt: 5000,
  traits: { plan: 'gold' },
  context: { tz: 'UTC' },
  userId: 'u1',
  firstSeenAt: 900,
  contextAt: 1000,
  streams: { views: { times: [1000], firstSeen: 1000, lastSeen: 1000 } },
};

describe('withFields', () => {
  it('replaces the given fields and keeps every other one, as a spread would', () => {
    const changes = { version: 4, memberships: {}, context: { tz: 'CET' }, contextAt: 2000 };
    const copy = withFields(stored, changes);
    expect(copy).toStrictEqual({ ...stored, ...changes });
    expect(copy.traits).toBe(stored.traits);
    expect(copy.streams).toBe(stored.streams);
  });

  it('sets null where null is given (a due time or rules version cleared), not the old value', () => {
    const copy = withFields(stored, { dueAt: null, rulesVersion: null, userId: null });
    expect(copy).toMatchObject({ dueAt: null, rulesVersion: null, userId: null });
  });

  it('has no firstSeenAt or contextAt keys when neither the record nor the changes have them', () => {
    const copy = withFields(emptyRecord('p2'), { exists: true, version: 1 });
    expect(copy).toStrictEqual({ ...emptyRecord('p2'), exists: true, version: 1 });
    expect('firstSeenAt' in copy || 'contextAt' in copy).toBe(false);
  });

  it('leaves the record it copies unchanged', () => {
    const before = structuredClone(stored);
    withFields(stored, { version: 9, dueAt: null, streams: {} });
    expect(stored).toStrictEqual(before);
  });
});
