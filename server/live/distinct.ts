/**
 * Wraps a live query's stream of execution results so that only results that differ from the last
 * one sent get through: a re-execution that produced the same page (an edit elsewhere, a segment
 * change that does not affect the selected content) pushes nothing. Pulls lazily, so the
 * socket's backpressure still reaches the source (which coalesces).
 */
import type { ExecutionResult } from 'graphql';

export function distinctResults(
  source: AsyncIterator<ExecutionResult>,
): AsyncIterableIterator<ExecutionResult> {
  let last: string | null = null;
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      for (;;) {
        const step = await source.next();
        if (step.done) return step;
        const text = JSON.stringify(step.value);
        if (text !== last) {
          last = text;
          return step;
        }
      }
    },
    async return() {
      return (await source.return?.()) ?? { value: undefined, done: true };
    },
    async throw(error?: unknown) {
      if (source.throw) return source.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
