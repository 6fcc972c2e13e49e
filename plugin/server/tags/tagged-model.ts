/**
 * Which content types and components carry segment tags, directly or through the components and
 * dynamic zones they contain. Pure: reads schemas in Strapi's format.
 */
import { SEGMENTS_FIELD, type AttributeSchema } from '../../../content/types';

interface HasAttributes {
  attributes: Record<string, AttributeSchema>;
}

/**
 * True when an entry of this schema can hold a segments field somewhere: on itself or inside any
 * component it can contain, however deep. Component cycles cannot occur in Strapi, but a visited set
 * keeps a malformed model from looping.
 */
export function carriesSegmentTags(
  schema: HasAttributes,
  components: (uid: string) => HasAttributes | undefined,
  visited: Set<string> = new Set(),
): boolean {
  for (const attribute of Object.values(schema.attributes)) {
    if (attribute.customField === SEGMENTS_FIELD) return true;
    const nested =
      attribute.type === 'component' && attribute.component
        ? [attribute.component]
        : attribute.type === 'dynamiczone'
          ? (attribute.components ?? [])
          : [];
    for (const uid of nested) {
      if (visited.has(uid)) continue;
      visited.add(uid);
      const component = components(uid);
      if (component && carriesSegmentTags(component, components, visited)) return true;
    }
  }
  return false;
}
