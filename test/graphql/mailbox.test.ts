/** The one-slot mailbox behind every subscription, and the fold of membership changes. */
import { describe, expect, it } from 'vitest';
import type { MembershipView } from '../../engine/types';
import type { SegmentChangeModel } from '../../resolvers/models';
import { foldChanges } from '../../server/live/changes';
import { Mailbox } from '../../server/live/mailbox';

describe('Mailbox', () => {
  it('holds at most one pending value however many are pushed before the consumer pulls', async () => {
    const mailbox = new Mailbox<number>((_pending, next) => next);
    for (let value = 0; value < 100_000; value++) mailbox.push(value);
    expect(await mailbox.next()).toEqual({ value: 99_999, done: false });
    expect(mailbox.hasPending).toBe(false);
  });

  it('ends after a last value, whether the consumer was parked or pulls it later', async () => {
    let cleanups = 0;
    const parkedBox = new Mailbox<string>(
      (_pending, next) => next,
      () => cleanups++,
    );
    const parked = parkedBox.next();
    parkedBox.end('refused');
    parkedBox.push('late');
    expect(await parked).toEqual({ value: 'refused', done: false });
    expect(await parkedBox.next()).toEqual({ value: undefined, done: true });
    const laterBox = new Mailbox<string>(
      (pending, next) => pending + next,
      () => cleanups++,
    );
    laterBox.push('a');
    laterBox.end('refused');
    laterBox.push('late');
    expect(await laterBox.next()).toEqual({ value: 'refused', done: false });
    expect(await laterBox.next()).toEqual({ value: undefined, done: true });
    expect(cleanups).toBe(2);
  });

  it('hands a value straight to a parked consumer', async () => {
    const mailbox = new Mailbox<string>((_pending, next) => next);
    const pulled = mailbox.next();
    mailbox.push('now');
    expect(await pulled).toEqual({ value: 'now', done: false });
  });

  it('releases a parked consumer on return, runs the cleanup once, and ignores later pushes', async () => {
    let cleanups = 0;
    const mailbox = new Mailbox<number>(
      (_pending, next) => next,
      () => cleanups++,
    );
    const parked = mailbox.next();
    await mailbox.return();
    await mailbox.return();
    expect(await parked).toEqual({ value: undefined, done: true });
    mailbox.push(1);
    expect(await mailbox.next()).toEqual({ value: undefined, done: true });
    expect(cleanups).toBe(1);
  });
});

describe('foldChanges', () => {
  const member = (key: string): MembershipView => ({
    key,
    name: key,
    priority: 1,
    since: 0,
    expiresAt: null,
    reason: { text: key, conditions: [] },
  });
  const change = (entered: string[], exited: string[], segments: string[]): SegmentChangeModel => ({
    entered,
    exited,
    segments: segments.map(member),
    reasons: Object.fromEntries(
      [...entered, ...exited].map((key) => [key, { text: `why ${key}`, conditions: [] }]),
    ),
    cause: 'event',
    at: 1,
  });

  it('computes entered and exited between the state before the first and after the last', () => {
    // {a} -> enter b -> {a, b} -> leave a, enter c -> {b, c}
    const folded = foldChanges(change(['b'], [], ['a', 'b']), change(['c'], ['a'], ['b', 'c']));
    expect(folded.entered.sort()).toEqual(['b', 'c']);
    expect(folded.exited).toEqual(['a']);
    expect(folded.segments.map((segment) => segment.key)).toEqual(['b', 'c']);
    expect(Object.keys(folded.reasons).sort()).toEqual(['a', 'b', 'c']);
  });

  it('drops a segment entered then left again', () => {
    const folded = foldChanges(change(['b'], [], ['a', 'b']), change([], ['b'], ['a']));
    expect(folded).toMatchObject({ entered: [], exited: [], reasons: {} });
  });
});
