/**
 * A one-slot async iterator: producers `push`, one consumer (graphql-js, then graphql-ws) pulls.
 * When the consumer is slower than the producers, pushed values are folded into the single pending
 * one with `coalesce` (keep the latest, or merge), so memory per subscription is bounded whatever
 * the rate of changes and however slow the socket: never an unbounded queue.
 *
 * graphql-ws pulls the next value only after the previous message was handed to the socket, so a
 * slow reader naturally turns into coalescing here. `return()` (unsubscribe, socket closed)
 * resolves a parked `next()` at once, so no generator is left waiting forever, and runs `onClose`.
 */
export class Mailbox<T> implements AsyncIterableIterator<T> {
  private pending: { value: T } | null = null;
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private closed = false;
  /** Set by `end`: the stream closes once the pending value is taken. */
  private ending = false;

  constructor(
    /** Folds a new value into the pending one when the consumer has not taken it yet. */
    private readonly coalesce: (pending: T, next: T) => T,
    private readonly onClose: () => void = () => {},
  ) {}

  /** Offers a value; dropped after close. */
  push(value: T): void {
    if (this.closed || (this.ending && !this.waiting)) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value, done: false });
      return;
    }
    this.pending = this.pending ? { value: this.coalesce(this.pending.value, value) } : { value };
  }

  /** Offers a last value (a refusal) in place of anything pending: the stream ends once it is taken. */
  end(value: T): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    if (this.waiting) {
      this.push(value);
      void this.return();
    } else this.pending = { value };
  }

  /** Whether a value is waiting to be taken (for tests and metrics). */
  get hasPending(): boolean {
    return this.pending !== null;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.pending) {
      const { value } = this.pending;
      this.pending = null;
      if (this.ending) void this.return();
      return Promise.resolve({ value, done: false });
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  /** Ends the stream: a parked `next()` resolves as done, pending values are dropped. */
  return(): Promise<IteratorResult<T>> {
    if (!this.closed) {
      this.closed = true;
      this.pending = null;
      const resolve = this.waiting;
      this.waiting = null;
      resolve?.({ value: undefined, done: true });
      this.onClose();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    void this.return();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
