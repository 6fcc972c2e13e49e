/**
 * Resolvers of the typed content fields, over the in-memory snapshot. Every object the content
 * types resolve to is a `ContentItem`: the raw document or block plus the caller's audience (so
 * nested dynamic zones, repeatable components and relations are filtered for the same caller) and
 * how the item was chosen.
 */
import type { GraphQLFieldResolver, GraphQLTypeResolver } from 'graphql';
import { GraphQLError } from 'graphql';
import { compileFilters, type Filters } from '../filters';
import type { FieldPlan, ModelPlan, RootPlan, TypePlan } from '../model';
import type { ContentSnapshot } from '../snapshot';
import {
  bestVariant,
  matchAudience,
  readTags,
  visibleItems,
  type Audience,
  type Personalization,
} from '../variants';
import { filterableFields } from './sdl';

/** What content resolvers need from the request context (`context.content`). */
export interface ContentRequest {
  /** The snapshot this request reads (the same one for the whole operation). */
  readonly snapshot: ContentSnapshot;
  /** The caller's memberships (segment key -> priority); empty for a caller without a token. */
  audience(): Promise<Audience>;
  /** Records that the operation read documents of `uid` (live queries re-run when they change). */
  read(uid: string): void;
}

/** A document or block as content types resolve it. */
export interface ContentItem {
  readonly data: Readonly<Record<string, unknown>>;
  readonly audience: Audience;
  readonly personalization: Personalization;
}

/** How root resolvers find the request's content view from their parent and context. */
export type ContentRequestOf = (parent: unknown, context: unknown) => ContentRequest;
type Context = unknown;
type Resolver = GraphQLFieldResolver<ContentItem, Context, Record<string, unknown>>;
type RootResolver = GraphQLFieldResolver<unknown, Context, Record<string, unknown>>;
export type ContentResolvers = Record<
  string,
  Record<string, Resolver | RootResolver | GraphQLTypeResolver<ContentItem, Context>>
>;

/** Hard ceiling of `limit` on list fields, whatever the caller asks. */
export const MAX_LIST_LIMIT = 1000;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The tags of a document or block, read from the type's tag attribute (none = untagged). */
function tagReader(
  plan: TypePlan | undefined,
): (data: Readonly<Record<string, unknown>>) => readonly string[] {
  const field = plan?.tagField;
  return field ? (data) => readTags(data[field]) : () => [];
}

/** Wraps values the audience may see; hidden ones are left out (lists keep the source order). */
function wrapVisible(values: unknown[], plan: TypePlan | undefined, audience: Audience): ContentItem[] {
  const records = values.filter(isRecord);
  return visibleItems(records, tagReader(plan), audience, 'source').map(({ item, personalization }) => ({
    data: item,
    audience,
    personalization,
  }));
}

/** Wraps one value if the audience may see it. */
function wrapOne(value: unknown, plan: TypePlan | undefined, audience: Audience): ContentItem | null {
  if (!isRecord(value)) return null;
  const verdict = matchAudience(tagReader(plan)(value), audience);
  return verdict ? { data: value, audience, personalization: verdict.personalization } : null;
}

function fieldResolver(field: FieldPlan, plan: ModelPlan): Resolver {
  const { name } = field;
  switch (field.kind) {
    case 'scalar':
    case 'enum':
      return (item) => item.data[name] ?? null;
    case 'media':
      return field.multiple
        ? (item) => {
            const value = item.data[name];
            return Array.isArray(value) ? value.filter(isRecord) : isRecord(value) ? [value] : [];
          }
        : (item) => {
            const value = item.data[name];
            return Array.isArray(value) ? (value.find(isRecord) ?? null) : isRecord(value) ? value : null;
          };
    case 'component': {
      const target = plan.types.get(field.component);
      return field.repeatable
        ? (item) => wrapVisible(asArray(item.data[name]), target, item.audience)
        : (item) => wrapOne(item.data[name], target, item.audience);
    }
    case 'dynamiczone': {
      const known = new Set(field.components);
      return (item) => {
        const blocks = asArray(item.data[name]).filter(
          (block) => isRecord(block) && typeof block.__component === 'string' && known.has(block.__component),
        ) as Array<Record<string, unknown>>;
        const items: ContentItem[] = [];
        for (const block of blocks) {
          const wrapped = wrapOne(block, plan.types.get(block.__component as string), item.audience);
          if (wrapped) items.push(wrapped);
        }
        return items;
      };
    }
    case 'relation': {
      const target = plan.types.get(field.target);
      return field.many
        ? (item) => wrapVisible(asArray(item.data[name]), target, item.audience)
        : (item) => {
            const value = item.data[name];
            return wrapOne(Array.isArray(value) ? value[0] : value, target, item.audience);
          };
    }
  }
}

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const read =
  (name: string): Resolver =>
  (item) =>
    item.data[name] ?? null;

function typeResolvers(type: TypePlan, plan: ModelPlan, isContentType: boolean): Record<string, Resolver> {
  const resolvers: Record<string, Resolver> = {};
  if (isContentType) {
    for (const name of ['documentId', 'locale', 'publishedAt', 'updatedAt']) resolvers[name] = read(name);
  } else {
    resolvers.id = read('id');
  }
  for (const field of type.fields) resolvers[field.name] = fieldResolver(field, plan);
  if (type.tagField) resolvers.personalization = (item) => item.personalization;
  return resolvers;
}

function checkWindow(start: unknown, limit: unknown): { start: number; limit: number } {
  const from = typeof start === 'number' ? start : 0;
  const count = typeof limit === 'number' ? limit : 100;
  if (from < 0) throw new GraphQLError('start must be 0 or more', { extensions: { code: 'BAD_USER_INPUT' } });
  if (count < 0 || count > MAX_LIST_LIMIT)
    throw new GraphQLError(`limit must be between 0 and ${MAX_LIST_LIMIT}`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  return { start: from, limit: count };
}

function rootResolvers(root: RootPlan, requestOf: ContentRequestOf): Record<string, RootResolver> {
  const tagsOf = tagReader(root);
  const locale = (args: Record<string, unknown>) => (typeof args.locale === 'string' ? args.locale : null);
  if (root.kind === 'singleType') {
    return {
      [root.queryFields.single]: async (parent, args, context) => {
        const content = requestOf(parent, context);
        content.read(root.uid);
        const audience = await content.audience();
        const [document] = content.snapshot.documents(root.uid, locale(args));
        return wrapOne(document, root, audience);
      },
    };
  }
  const equalities = filterableFields(root).map((field) => field.name);
  return {
    [root.queryFields.list]: async (parent, args, context) => {
      const window = checkWindow(args.start, args.limit);
      const content = requestOf(parent, context);
      content.read(root.uid);
      const audience = await content.audience();
      const matches = compileFilters((args.filters ?? {}) as Filters);
      const documents = content.snapshot.documents(root.uid, locale(args)).filter(matches);
      return visibleItems(documents, tagsOf, audience, 'priority')
        .slice(window.start, window.start + window.limit)
        .map(({ item, personalization }): ContentItem => ({ data: item, audience, personalization }));
    },
    [root.queryFields.single]: async (parent, args, context) => {
      const content = requestOf(parent, context);
      content.read(root.uid);
      const audience = await content.audience();
      // Direct arguments (`banner(placement: "home")`) are equality filters ANDed with `filters`.
      const direct: Record<string, { eq: unknown }> = {};
      for (const name of equalities)
        if (args[name] !== undefined && args[name] !== null) direct[name] = { eq: args[name] };
      const matchesFilters = compileFilters((args.filters ?? {}) as Filters);
      const matchesDirect = compileFilters(direct);
      const documents = content.snapshot
        .documents(root.uid, locale(args))
        .filter((document) => matchesDirect(document) && matchesFilters(document));
      const best = bestVariant(documents, tagsOf, audience);
      return best ? { data: best.item, audience, personalization: best.personalization } : null;
    },
  };
}

/** The resolver map of the content part of the schema; `requestOf` finds each request's content view. */
export function contentResolvers(plan: ModelPlan, requestOf: ContentRequestOf): ContentResolvers {
  const resolvers: ContentResolvers = {};
  const typeNameOf = new Map([...plan.types.values()].map((type) => [type.uid, type.typeName]));
  for (const type of plan.types.values()) {
    resolvers[type.typeName] = typeResolvers(type, plan, type.uid.startsWith('api::'));
    for (const field of type.fields) {
      if (field.kind !== 'dynamiczone') continue;
      resolvers[field.union] = {
        __resolveType: ((item: ContentItem) =>
          typeNameOf.get(item.data.__component as string)) as GraphQLTypeResolver<ContentItem, Context>,
      };
    }
  }
  const query: Record<string, RootResolver> = {};
  for (const root of plan.roots) Object.assign(query, rootResolvers(root, requestOf));
  if (Object.keys(query).length > 0) resolvers.Query = query;
  return resolvers;
}
