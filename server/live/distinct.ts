/**
 * Wraps a live query's stream of execution results so that only results that differ from the last
 * one sent get through: a re-execution that produced the same page (an edit elsewhere, a segment
 * change that does not affect the selected content) pushes nothing. Pulls lazily, so the
 * socket's backpressure still reaches the source (which coalesces).
 */
import type { ExecutionResult } from 'graphql';
import { wrapIterator } from './wrap-iterator';

export function distinctResults(
  source: AsyncIterator<ExecutionResult>,
): AsyncIterableIterator<ExecutionResult> {
  let last: string | null = null;
  return wrapIterator(source, {
    keep(result) {
      const text = JSON.stringify(result);
      if (text === last) return false;
      last = text;
      return true;
    },
  });
}
