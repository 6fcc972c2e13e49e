/**
 * What the GraphQL layer reports to operators, as callbacks (server/metrics.ts turns them into
 * Prometheus metrics): the layer itself never depends on a metrics library, and without an
 * observer nothing is measured at all.
 *
 * `track` is observed by wrapping its resolver in the schema rather than inside it, so the same
 * count covers HTTP and WebSocket callers and the resolvers stay unaware of metrics.
 */
import { GraphQLError, defaultFieldResolver, type GraphQLSchema } from 'graphql';
import type { EngineObserver } from '../engine/types';

/** Why a `track` call stored nothing: a bounded set of labels. */
export type RefusalReason =
  | 'unauthenticated'
  | 'invalid_token'
  | 'invalid_event'
  | 'batch_too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'error';

export interface ServerObserver extends EngineObserver {
  /** A `track` call stored `accepted` events; `duplicates` and `withheld` (no consent) were acknowledged, not stored. */
  onTrack?(counts: { accepted: number; duplicates: number; withheld: number }): void;
  /** A `track` call was refused: its `events` events were not stored. */
  onTrackRefused?(reason: RefusalReason, events: number): void;
  /** A call of `operation` (`startSession`, `track`, `identify`, `me`, ...) was refused by its rate limit. */
  onOperationRefused?(operation: string, reason: 'rate_limited'): void;
  /**
   * A frame was handed to a WebSocket `ms` milliseconds after the membership change that caused it
   * was committed (by the committing instance's clock).
   */
  onPush?(ms: number): void;
}

/** Refusal codes of `track` (server/errors.ts) as metric labels; anything else is `error`. */
const REASONS: Record<string, RefusalReason> = {
  UNAUTHENTICATED: 'unauthenticated',
  INVALID_TOKEN: 'invalid_token',
  BAD_USER_INPUT: 'invalid_event',
  BATCH_TOO_LARGE: 'batch_too_large',
  RATE_LIMITED: 'rate_limited',
  UNAVAILABLE: 'unavailable',
};

/** The label of an error thrown by the `track` resolver. */
export function refusalReason(error: unknown): RefusalReason {
  const code = error instanceof GraphQLError ? error.extensions.code : undefined;
  return (typeof code === 'string' && REASONS[code]) || 'error';
}

interface TrackResult {
  accepted: number;
  duplicates: number;
  withheld: number;
}

/** Wraps `Mutation.track` of `schema` (built fresh for each content model) to report to `observer`. */
export function observeTrack(schema: GraphQLSchema, observer: ServerObserver): void {
  const field = schema.getMutationType()?.getFields().track;
  if (!field || (!observer.onTrack && !observer.onTrackRefused)) return;
  const resolve = field.resolve ?? defaultFieldResolver;
  field.resolve = async (source, args: { events?: unknown[] }, context, info) => {
    try {
      const result = (await resolve(source, args, context, info)) as TrackResult;
      observer.onTrack?.(result);
      return result;
    } catch (error) {
      observer.onTrackRefused?.(refusalReason(error), args.events?.length ?? 0);
      throw error;
    }
  };
}
