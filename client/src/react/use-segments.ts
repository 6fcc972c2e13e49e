/**
 * `useSegments()`: the visitor's current segments, each with its reason and when it lapses, kept up
 * to date by the server (a live `me` query). What a "why am I seeing this" panel shows.
 */
import { parse, type DocumentNode } from 'graphql';
import { ME } from '../operations.js';
import type { SegmentMembership } from '../types.js';
import { useLive } from './use-live.js';

const ME_DOCUMENT: DocumentNode = parse(ME);

/** What `useSegments` returns. */
export interface SegmentsState {
  /** Highest priority first; empty until loaded. */
  segments: SegmentMembership[];
  /** The profile id the segments belong to (changes after `identify` merges into a user). */
  profileId: string | undefined;
  loading: boolean;
  error: unknown;
}

/** The caller's segments, live. */
export function useSegments(): SegmentsState {
  const { data, error, loading } = useLive<{ me: { id: string; segments: SegmentMembership[] } }>(
    ME_DOCUMENT,
  );
  return { segments: data?.me.segments ?? [], profileId: data?.me.id, loading, error };
}
