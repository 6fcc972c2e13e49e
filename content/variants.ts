/**
 * Variant choice, pure and small. An item (an entry, a dynamic-zone block, a repeatable component)
 * is tagged with segment keys; an untagged item is shown to everyone. Given the caller's
 * memberships (segment key -> priority):
 *
 *   - an item tagged with at least one of the caller's segments is a match, ranked by the highest
 *     priority among those segments; its `segment` is that segment;
 *   - an untagged item is a fallback;
 *   - an item tagged only with segments the caller is not in is never shown.
 *
 * `bestVariant` picks one item (best match, ties to the earlier item; else the first fallback).
 * `visibleItems` keeps every match and fallback: lists put matches first (best priority first),
 * while blocks keep the editor's order, because there the order is the page layout.
 */

/** How a shown item was chosen; exposed as the `personalization` field. */
export interface Personalization {
  /** The caller's segment that chose the item; null for a fallback. */
  segment: string | null;
  tags: readonly string[];
  fallback: boolean;
}

/** The caller's memberships: segment key -> priority. */
export type Audience = ReadonlyMap<string, number>;

/** An item with what it was chosen by. */
export interface Chosen<T> {
  item: T;
  personalization: Personalization;
}

const FALLBACK: Personalization = Object.freeze({ segment: null, tags: Object.freeze([]), fallback: true });

/**
 * Segment tags as stored by the custom field: an array of keys. `null`/absent/`[]` = untagged. A
 * value of any other shape is treated as tagged with nothing anybody can match, so content with
 * broken tags is hidden rather than shown to everyone.
 */
export function readTags(value: unknown): readonly string[] {
  if (value === null || value === undefined) return FALLBACK.tags;
  if (typeof value === 'string') return value === '' ? FALLBACK.tags : [value];
  if (Array.isArray(value) && value.every((tag) => typeof tag === 'string')) return value as string[];
  return UNMATCHABLE;
}

/** Tags no segment key can equal (keys are slugs). */
const UNMATCHABLE: readonly string[] = Object.freeze([' invalid segment tags ']);

/** How `tags` relate to the audience: a fallback, a match (with its segment and priority), or hidden. */
export function matchAudience(
  tags: readonly string[],
  audience: Audience,
): { personalization: Personalization; rank: number } | null {
  if (tags.length === 0) return { personalization: FALLBACK, rank: -Infinity };
  let best: string | null = null;
  let bestPriority = -Infinity;
  for (const tag of tags) {
    const priority = audience.get(tag);
    if (priority !== undefined && (best === null || priority > bestPriority)) {
      best = tag;
      bestPriority = priority;
    }
  }
  if (best === null) return null;
  return { personalization: { segment: best, tags, fallback: false }, rank: bestPriority };
}

/** The best item for the audience, or null when nothing matches and there is no fallback. */
export function bestVariant<T>(
  items: Iterable<T>,
  tagsOf: (item: T) => readonly string[],
  audience: Audience,
): Chosen<T> | null {
  let best: Chosen<T> | null = null;
  let bestRank = -Infinity;
  for (const item of items) {
    const verdict = matchAudience(tagsOf(item), audience);
    if (!verdict) continue;
    if (best === null || verdict.rank > bestRank) {
      best = { item, personalization: verdict.personalization };
      bestRank = verdict.rank;
    }
  }
  return best;
}

/**
 * Every item the audience may see. `order: 'priority'` puts matches first, best segment priority
 * first (stable), then fallbacks; `order: 'source'` keeps the given order.
 */
export function visibleItems<T>(
  items: Iterable<T>,
  tagsOf: (item: T) => readonly string[],
  audience: Audience,
  order: 'priority' | 'source',
): Array<Chosen<T>> {
  const shown: Array<Chosen<T> & { rank: number }> = [];
  for (const item of items) {
    const verdict = matchAudience(tagsOf(item), audience);
    if (verdict) shown.push({ item, personalization: verdict.personalization, rank: verdict.rank });
  }
  if (order === 'priority') shown.sort((a, b) => (b.rank === a.rank ? 0 : b.rank > a.rank ? 1 : -1));
  return shown.map(({ item, personalization }) => ({ item, personalization }));
}
