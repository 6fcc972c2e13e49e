/**
 * The shapes the admin API (plugin/server/controllers) answers with, imported by the controllers
 * that build them and by the admin pages that read them, so the two cannot drift apart. Types only:
 * the admin bundle and the server both compile this file, so it imports nothing.
 */

/** A segment as `GET /segments` and `GET /segments/:documentId` return it. */
export interface Segment {
  documentId: string;
  key: string;
  name: string;
  description?: string | null;
  priority: number;
  enabled: boolean;
  /** The rule, in the engine's JSON rule format. */
  rule: unknown;
  /** Current members (`GET /segments` only), when the profile store can count them; `null` otherwise. */
  members?: number | null;
}

/** What the tags field needs to show a segment (`GET /segment-options`, open to any admin). */
export type SegmentOption = Pick<Segment, 'key' | 'name' | 'priority' | 'enabled'>;
