/** The one async-iterator wrapper of the transport: drop, watch, and tell the end once. */
import { describe, expect, it } from 'vitest';
import { wrapIterator } from '../../server/live/wrap-iterator';

async function* numbers(count: number, failAt?: number): AsyncGenerator<number> {
  for (let value = 0; value < count; value++) {
    if (value === failAt) throw new Error('source failed');
    yield value;
  }
}

async function drain<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterator) values.push(value);
  return values;
}

describe('wrapIterator', () => {
  it('skips the values `keep` refuses and shows `seen` only the ones it lets through', async () => {
    const seen: number[] = [];
    const wrapped = wrapIterator(numbers(6), { keep: (n) => n % 2 === 0, seen: (n) => seen.push(n) });
    expect(await drain(wrapped)).toEqual([0, 2, 4]);
    expect(seen).toEqual([0, 2, 4]);
  });

  it('calls `ended` once when the source is done', async () => {
    let ends = 0;
    const wrapped = wrapIterator(numbers(2), { ended: () => (ends += 1) });
    expect(await drain(wrapped)).toEqual([0, 1]);
    expect(await wrapped.next()).toEqual({ value: undefined, done: true });
    await wrapped.return!();
    expect(ends).toBe(1);
  });

  it('calls `ended` once when the source fails, and passes the error on', async () => {
    let ends = 0;
    const wrapped = wrapIterator(numbers(5, 1), { ended: () => (ends += 1) });
    await expect(drain(wrapped)).rejects.toThrow('source failed');
    expect(ends).toBe(1);
  });

  it('calls `ended` when the consumer returns early, and returns the source', async () => {
    let ends = 0;
    const source = numbers(10);
    const wrapped = wrapIterator(source, { ended: () => (ends += 1) });
    expect(await wrapped.next()).toEqual({ value: 0, done: false });
    expect(await wrapped.return!()).toEqual({ value: undefined, done: true });
    expect(ends).toBe(1);
    expect(await source.next()).toEqual({ value: undefined, done: true });
  });

  it('passes `throw` to the source and counts it as the end', async () => {
    let ends = 0;
    const wrapped = wrapIterator(numbers(10), { ended: () => (ends += 1) });
    await wrapped.next();
    await expect(wrapped.throw!(new Error('thrown in'))).rejects.toThrow('thrown in');
    expect(ends).toBe(1);
  });
});
