/**
 * The one wrapper of async iterators the transport puts around subscription results: it can drop
 * values (`keep`), watch the values it lets through (`seen`) and tell when the stream ends
 * (`ended`), and passes `return` and `throw` through. Pulls lazily, so the socket's
 * backpressure still reaches the source (which coalesces: mailbox.ts).
 */
export interface WrapOptions<T> {
  /** Whether a value goes through; one that does not is skipped and the next one pulled. */
  keep?: (value: T) => boolean;
  /** Called with each value that goes through, before it is handed on. */
  seen?: (value: T) => void;
  /** Called once when the stream ends, however it ends (done, failed, returned, thrown into). */
  ended?: () => void;
}

export function wrapIterator<T>(source: AsyncIterator<T>, options: WrapOptions<T>): AsyncIterableIterator<T> {
  const { keep, seen } = options;
  let open = true;
  const ended = (): void => {
    if (open) options.ended?.();
    open = false;
  };
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      for (;;) {
        const step = await source.next().catch((error: unknown) => {
          ended();
          throw error;
        });
        if (step.done) {
          ended();
          return step;
        }
        if (keep && !keep(step.value)) continue;
        seen?.(step.value);
        return step;
      }
    },
    async return() {
      ended();
      return (await source.return?.()) ?? { value: undefined, done: true };
    },
    async throw(error?: unknown) {
      ended();
      if (source.throw) return source.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
