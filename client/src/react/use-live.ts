/**
 * `useLive(query, variables)`: a query that stays true. It renders the current result at once and
 * re-renders whenever the server pushes a different one (the visitor entered or left a segment, an
 * editor published a variant). There is no refetch and no polling: one subscription per mounted
 * query over the client's shared socket.
 */
import { useEffect, useState } from 'react';
import type { Operation } from '../client.js';
import { usePersonalize } from './context.js';

/** What `useLive` returns. */
export interface LiveState<TData> {
  /** The latest result; kept while variables change, until the new result arrives (no flash of empty). */
  data: TData | undefined;
  /** The last error of a push, cleared by the next good push. */
  error: unknown;
  /** True until the first result for the current variables arrived. */
  loading: boolean;
}

/**
 * Subscribes to `query` live for as long as the component is mounted.
 * Variables are compared by value (JSON), so an inline object literal does not resubscribe every render.
 */
export function useLive<TData, TVariables extends Record<string, unknown> = Record<string, unknown>>(
  query: Operation<TData, TVariables>,
  variables?: TVariables,
): LiveState<TData> {
  const client = usePersonalize();
  const variablesKey = JSON.stringify(variables ?? {});
  const [state, setState] = useState<LiveState<TData>>({ data: undefined, error: undefined, loading: true });
  useEffect(() => {
    setState((previous) => ({ ...previous, loading: true }));
    return client.live<TData, TVariables>(query, JSON.parse(variablesKey) as TVariables, {
      next: (data) => setState({ data, error: undefined, loading: false }),
      error: (error) => setState((previous) => ({ ...previous, error, loading: false })),
    });
  }, [client, query, variablesKey]);
  return state;
}
