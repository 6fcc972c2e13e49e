/**
 * Finds the segment tags in an entry's data, wherever the custom field sits: on the content type
 * itself, in a (repeatable) component, or in a dynamic zone block, nested to any depth. Pure: the
 * caller looks the keys up and decides; this only reads the data against the schema.
 *
 * Only attributes present in the data are read (a partial update leaves the others untouched), and
 * a value of the wrong shape is reported, not guessed at, so bad input never reaches the database.
 */
import { SEGMENTS_FIELD, type AttributeSchema } from '../../../content/types';

/** A path into the entry's data, as Strapi reports validation errors: `['blocks', 0, 'segments']`. */
export type DataPath = Array<string | number>;

/** The keys found in one segments field. */
export interface TagUse {
  path: DataPath;
  keys: string[];
}

/** A value that is not a list of segment keys, or a component value of the wrong shape. */
export interface TagIssue {
  path: DataPath;
  message: string;
}

/** Looks a component schema up by uid (`blocks.hero`). */
export type ComponentLookup = (uid: string) => { attributes: Record<string, AttributeSchema> } | undefined;

/** Segment keys are slugs, as the segment content type's `key` attribute enforces. */
export const SEGMENT_KEY_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** More tags than this on one entry is a mistake, not an audience. */
export const MAX_TAGS_PER_FIELD = 50;

/** Walks `data` against `attributes`, collecting every segments field it holds and every shape error. */
export function collectSegmentTags(
  attributes: Record<string, AttributeSchema>,
  data: unknown,
  components: ComponentLookup,
): { uses: TagUse[]; issues: TagIssue[] } {
  const uses: TagUse[] = [];
  const issues: TagIssue[] = [];
  walkEntry(attributes, data, [], components, uses, issues);
  return { uses, issues };
}

function walkEntry(
  attributes: Record<string, AttributeSchema>,
  data: unknown,
  path: DataPath,
  components: ComponentLookup,
  uses: TagUse[],
  issues: TagIssue[],
): void {
  if (!isPlainObject(data)) return;
  for (const [name, attribute] of Object.entries(attributes)) {
    const value = data[name];
    if (value === undefined || value === null) continue;
    const here = [...path, name];
    if (attribute.customField === SEGMENTS_FIELD) readTags(value, here, uses, issues);
    else if (attribute.type === 'component' && attribute.component)
      walkComponent(
        attribute.component,
        attribute.repeatable === true,
        value,
        here,
        components,
        uses,
        issues,
      );
    else if (attribute.type === 'dynamiczone') walkDynamicZone(value, here, components, uses, issues);
  }
}

function walkComponent(
  uid: string,
  repeatable: boolean,
  value: unknown,
  path: DataPath,
  components: ComponentLookup,
  uses: TagUse[],
  issues: TagIssue[],
): void {
  const schema = components(uid);
  // An unknown component is Strapi's own validation error to report; there is nothing of ours to read.
  if (!schema) return;
  if (!repeatable) return walkEntry(schema.attributes, value, path, components, uses, issues);
  if (!Array.isArray(value)) return;
  value.forEach((item, index) =>
    walkEntry(schema.attributes, item, [...path, index], components, uses, issues),
  );
}

function walkDynamicZone(
  value: unknown,
  path: DataPath,
  components: ComponentLookup,
  uses: TagUse[],
  issues: TagIssue[],
): void {
  if (!Array.isArray(value)) return;
  value.forEach((block, index) => {
    if (!isPlainObject(block) || typeof block.__component !== 'string') return;
    const schema = components(block.__component);
    if (schema) walkEntry(schema.attributes, block, [...path, index], components, uses, issues);
  });
}

function readTags(value: unknown, path: DataPath, uses: TagUse[], issues: TagIssue[]): void {
  if (!Array.isArray(value)) {
    issues.push({ path, message: 'must be a list of segment keys (an empty list means everyone)' });
    return;
  }
  if (value.length > MAX_TAGS_PER_FIELD) {
    issues.push({ path, message: `must hold at most ${MAX_TAGS_PER_FIELD} segment keys` });
    return;
  }
  const keys: string[] = [];
  for (const key of value) {
    if (typeof key !== 'string' || !SEGMENT_KEY_PATTERN.test(key)) {
      issues.push({ path, message: `${JSON.stringify(key)} is not a segment key (a slug such as "vip")` });
      return;
    }
    keys.push(key);
  }
  uses.push({ path, keys });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
