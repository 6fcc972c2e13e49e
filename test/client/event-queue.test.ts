/**
 * The event queue's own logic (batching, order, backoff, what is dropped and what is kept), driven by
 * fake timers and a `send` that plays the network. The same queue against a real server, through a
 * real outage, is covered in browser.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PersonalizeRequestError } from '../../client/src/errors.js';
import { EventQueue, type SendBatch } from '../../client/src/event-queue.js';
import { createEvent, type TrackedEvent } from '../../client/src/events.js';

const event = (n: number): TrackedEvent => createEvent('Article Viewed', { n }, {}, () => ({}));
const numbers = (events: TrackedEvent[]): unknown[] => events.map((e) => e.properties.n);

/** A `send` that fails with the queued errors first, then succeeds; records every attempt. */
function network(...failures: Error[]): { send: SendBatch; attempts: TrackedEvent[][] } {
  const attempts: TrackedEvent[][] = [];
  return {
    attempts,
    send: async (events) => {
      attempts.push(events);
      const failure = failures.shift();
      if (failure) throw failure;
    },
  };
}

const offline = (): PersonalizeRequestError => new PersonalizeRequestError('down', 'network');

describe('EventQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('batches events queued within the interval into one send, in order', async () => {
    const net = network();
    const queue = new EventQueue(net.send, { flushIntervalMs: 100 });
    for (let n = 0; n < 5; n += 1) queue.enqueue(event(n));
    await vi.advanceTimersByTimeAsync(99);
    expect(net.attempts).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(net.attempts.map(numbers)).toEqual([[0, 1, 2, 3, 4]]);
    expect(queue.pending()).toEqual([]);
  });

  it('sends at once when a batch is full, and splits larger queues into batches', async () => {
    const net = network();
    const queue = new EventQueue(net.send, { maxBatchSize: 3, flushIntervalMs: 10_000 });
    for (let n = 0; n < 7; n += 1) queue.enqueue(event(n));
    await vi.advanceTimersByTimeAsync(0);
    expect(net.attempts.map(numbers)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('retries a failed batch with the same event ids, backing off, and keeps order with later events', async () => {
    const net = network(offline(), offline());
    const errors: unknown[] = [];
    const queue = new EventQueue(net.send, {
      flushIntervalMs: 0,
      backoff: { initialMs: 1000, maxMs: 8000 },
      onError: (e) => errors.push(e),
    });
    queue.enqueue(event(1));
    await vi.advanceTimersByTimeAsync(0);
    expect(net.attempts).toHaveLength(1);
    queue.enqueue(event(2)); // arrives during the backoff: rides along with the retry, no extra send
    await vi.advanceTimersByTimeAsync(499);
    expect(net.attempts).toHaveLength(1); // first retry waits at least initialMs / 2
    await vi.advanceTimersByTimeAsync(501);
    expect(net.attempts).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2000);
    expect(net.attempts.map(numbers)).toEqual([[1], [1, 2], [1, 2]]);
    const ids = net.attempts.map((batch) => batch[0]!.id);
    expect(new Set(ids).size).toBe(1); // the retried event kept its id: the server dedupes it
    expect(errors).toHaveLength(2);
    expect(queue.pending()).toEqual([]);
  });

  it('drops a batch the server rejects as invalid (it would be rejected forever) and goes on', async () => {
    const net = network(new PersonalizeRequestError('bad event', 'rejected', 400));
    const errors: unknown[] = [];
    const queue = new EventQueue(net.send, {
      maxBatchSize: 1,
      flushIntervalMs: 0,
      onError: (e) => errors.push(e),
    });
    queue.enqueue(event(1));
    queue.enqueue(event(2));
    await vi.advanceTimersByTimeAsync(0);
    expect(net.attempts.map(numbers)).toEqual([[1], [2]]);
    expect(errors).toHaveLength(1);
  });

  it('isolates one bad event by splitting the refused batch, delivering its good neighbours', async () => {
    const delivered: unknown[] = [];
    const errors: unknown[] = [];
    const send: SendBatch = async (events) => {
      if (events.some((e) => e.properties.n === 3))
        throw new PersonalizeRequestError('bad event', 'rejected', 400);
      delivered.push(...numbers(events));
    };
    const queue = new EventQueue(send, { flushIntervalMs: 0, onError: (e) => errors.push(e) });
    for (let n = 1; n <= 5; n += 1) queue.enqueue(event(n));
    await vi.advanceTimersByTimeAsync(0);
    expect(delivered).toEqual([1, 2, 4, 5]);
    expect(errors).toHaveLength(1);
    expect(queue.pending()).toEqual([]);
  });

  it('halves its batches when the server says BATCH_TOO_LARGE, and keeps the smaller size', async () => {
    const sizes: number[] = [];
    const send: SendBatch = async (events) => {
      sizes.push(events.length);
      if (events.length > 2)
        throw new PersonalizeRequestError('too large', 'rejected', 400, [
          { message: 'too large', extensions: { code: 'BATCH_TOO_LARGE' } },
        ]);
    };
    const queue = new EventQueue(send, { maxBatchSize: 8, flushIntervalMs: 0 });
    for (let n = 0; n < 8; n += 1) queue.enqueue(event(n));
    await vi.advanceTimersByTimeAsync(0);
    expect(sizes).toEqual([8, 4, 2, 2, 2, 2]);
    queue.enqueue(event(9));
    queue.enqueue(event(10));
    queue.enqueue(event(11));
    await queue.flush();
    expect(sizes.slice(6)).toEqual([2, 1]);
  });

  it('waits at least as long as a rate-limited server asks (retryAfterMs)', async () => {
    const net = network(
      new PersonalizeRequestError('slow down', 'unavailable', 200, [
        { message: 'slow down', extensions: { code: 'RATE_LIMITED', retryAfterMs: 5000 } },
      ]),
    );
    const queue = new EventQueue(net.send, { flushIntervalMs: 0, backoff: { initialMs: 100, maxMs: 200 } });
    queue.enqueue(event(1));
    await vi.advanceTimersByTimeAsync(4999);
    expect(net.attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(net.attempts).toHaveLength(2);
  });

  it('keeps unacknowledged events pending (for the page-hide beacon) and bounds the queue', async () => {
    const net = network(offline());
    const errors: unknown[] = [];
    const queue = new EventQueue(net.send, {
      flushIntervalMs: 0,
      maxQueueSize: 3,
      onError: (e) => errors.push(e),
    });
    queue.enqueue(event(1));
    await vi.advanceTimersByTimeAsync(0);
    for (let n = 2; n <= 4; n += 1) queue.enqueue(event(n));
    expect(numbers(queue.pending())).toEqual([2, 3, 4]);
    expect(String(errors.at(-1))).toMatch(/queue full \(3\): dropped 1 oldest/);
  });

  it('flush() skips the wait, including a backoff, and resolves once acknowledged', async () => {
    const net = network(offline());
    const queue = new EventQueue(net.send, {
      flushIntervalMs: 60_000,
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    queue.enqueue(event(1));
    await queue.flush();
    expect(queue.pending()).toHaveLength(1);
    await queue.flush();
    expect(queue.pending()).toHaveLength(0);
    expect(net.attempts).toHaveLength(2);
  });

  it('clear() forgets everything queued (withdrawn consent, erasure)', async () => {
    const net = network();
    const queue = new EventQueue(net.send, { flushIntervalMs: 10 });
    queue.enqueue(event(1));
    queue.clear();
    await vi.advanceTimersByTimeAsync(100);
    expect(net.attempts).toHaveLength(0);
  });

  it('refuses bad options', () => {
    const net = network();
    expect(() => new EventQueue(net.send, { maxBatchSize: 0 })).toThrow(
      /maxBatchSize must be a positive integer/,
    );
    expect(() => new EventQueue(net.send, { flushIntervalMs: -1 })).toThrow(/flushIntervalMs/);
  });
});
