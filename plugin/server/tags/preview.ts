/**
 * "Preview as segment": what a visitor of each audience would get of one document, decided by the
 * same variant rules the GraphQL layer serves with (content/variants.ts), so the preview cannot
 * drift from production. Pure.
 *
 * For each audience (each enabled segment on its own, then "no segment"), it says whether the
 * document itself is shown (and by which tag), and which blocks of each dynamic zone or repeatable
 * component are shown, in page order.
 */
import type { AttributeSchema } from '../../../content/types';
import { isTagAttribute } from '../../../content/model';
import { matchAudience, readTags, visibleItems, type Audience } from '../../../content/variants';

/** A segment as the preview needs it. */
export interface PreviewSegment {
  key: string;
  name: string;
  priority: number;
  enabled: boolean;
}

/** One block shown to an audience: its position, kind and a human label. */
export interface PreviewBlock {
  index: number;
  component: string;
  label: string;
  /** The audience's segment that chose it; null for an untagged block (shown to everyone). */
  segment: string | null;
}

export interface PreviewAudience {
  /** The segment key; null for visitors in no segment. */
  segment: string | null;
  name: string;
  /** Whether the document itself is shown to this audience. */
  shown: boolean;
  /** The tag that made it shown; null when untagged (or hidden). */
  chosenBy: string | null;
  /** Shown blocks, by attribute (dynamic zones and repeatable components with tags). */
  blocks: Record<string, PreviewBlock[]>;
}

type Components = (uid: string) => { attributes: Record<string, AttributeSchema> } | undefined;

/** The preview of `document` (with components populated) for every audience. */
export function previewDocument(
  document: Record<string, unknown>,
  attributes: Record<string, AttributeSchema>,
  components: Components,
  segments: PreviewSegment[],
): PreviewAudience[] {
  const audiences: Array<{ segment: string | null; name: string; audience: Audience }> = [
    ...segments
      .filter((segment) => segment.enabled)
      .sort((a, b) => b.priority - a.priority)
      .map((segment) => ({
        segment: segment.key,
        name: segment.name,
        audience: new Map([[segment.key, segment.priority]]) as Audience,
      })),
    { segment: null, name: 'Visitors in no segment', audience: new Map() as Audience },
  ];
  const ownTags = tagsOf(document, attributes);
  return audiences.map(({ segment, name, audience }) => {
    const verdict = matchAudience(ownTags, audience);
    const blocks: Record<string, PreviewBlock[]> = {};
    for (const [attributeName, attribute] of Object.entries(attributes)) {
      const items = blockItems(document[attributeName], attribute, components);
      if (!items) continue;
      blocks[attributeName] = visibleItems(items, (item) => item.tags, audience, 'source').map(
        ({ item, personalization }) => ({
          index: item.index,
          component: item.component,
          label: item.label,
          segment: personalization.segment,
        }),
      );
    }
    return {
      segment,
      name,
      shown: verdict !== null,
      chosenBy: verdict?.personalization.segment ?? null,
      blocks,
    };
  });
}

interface BlockItem {
  index: number;
  component: string;
  label: string;
  tags: readonly string[];
}

/** The blocks of a dynamic zone or repeatable component whose schema carries tags; null otherwise. */
function blockItems(value: unknown, attribute: AttributeSchema, components: Components): BlockItem[] | null {
  if (!Array.isArray(value)) return null;
  const isZone = attribute.type === 'dynamiczone';
  const isRepeatable = attribute.type === 'component' && attribute.repeatable === true;
  if (!isZone && !isRepeatable) return null;
  const items: BlockItem[] = [];
  let tagged = false;
  value.forEach((raw, index) => {
    if (typeof raw !== 'object' || raw === null) return;
    const block = raw as Record<string, unknown>;
    const uid = isZone ? String(block.__component ?? '') : (attribute.component ?? '');
    const schema = components(uid);
    if (!schema) return;
    if (Object.values(schema.attributes).some(isTagAttribute)) tagged = true;
    items.push({ index, component: uid, label: labelOf(block, uid), tags: tagsOf(block, schema.attributes) });
  });
  return tagged ? items : null;
}

/** The union of the tags in every segments field of an entry or block (usually there is one). */
function tagsOf(
  entry: Record<string, unknown>,
  attributes: Record<string, AttributeSchema>,
): readonly string[] {
  const tags: string[] = [];
  for (const [name, attribute] of Object.entries(attributes))
    if (isTagAttribute(attribute)) tags.push(...readTags(entry[name]));
  return tags;
}

/** A block's title-like text, else its component name. */
function labelOf(block: Record<string, unknown>, uid: string): string {
  for (const field of ['title', 'name', 'heading', 'label'])
    if (typeof block[field] === 'string' && block[field]) return block[field] as string;
  return uid;
}
