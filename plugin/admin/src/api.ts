/**
 * The admin API of the plugin (plugin/server/routes/admin.ts), typed for the pages that call it.
 * Requests go through Strapi's `useFetchClient`, which adds the admin's session token.
 */
import { useFetchClient } from '@strapi/strapi/admin';
import { useCallback, useEffect, useState } from 'react';

export type { Segment, SegmentOption } from '../../shared/admin-api';

/** One field error from a refused save: `path` names the attribute (`['rule']`). */
export interface FieldError {
  path: string[];
  message: string;
}

/** Reads `{ data }` from an admin route, with loading and error state, and a way to reload. */
export function useAdminData<T>(url: string | null): {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
} {
  const { get } = useFetchClient();
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (url === null) return;
    let cancelled = false;
    setState((previous) => ({ ...previous, loading: true }));
    get<{ data: T }>(url)
      .then((response) => !cancelled && setState({ data: response.data.data, loading: false }))
      .catch((error: unknown) => !cancelled && setState({ error: errorMessage(error), loading: false }));
    return () => {
      cancelled = true;
    };
  }, [url, generation, get]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** The message and field errors of a refused request, as Strapi's error middleware sends them. */
export function describeError(error: unknown): { message: string; fields: FieldError[] } {
  const body = (
    error as { response?: { data?: { error?: { message?: string; details?: { errors?: FieldError[] } } } } }
  )?.response?.data?.error;
  return {
    message: body?.message ?? errorMessage(error),
    fields: Array.isArray(body?.details?.errors) ? body.details.errors : [],
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
