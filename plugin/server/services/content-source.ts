/**
 * The `content-source` service: the GraphQL layer's `ContentSource` (content/types.ts) over this
 * Strapi app.
 *
 * - `loadModel()`: the app's own content types (`api::*`) and every component, in Strapi's schema
 *   format, as written in their schema.json (without the attributes Strapi adds at run time).
 * - `loadDocuments(uid)`: published documents only, every locale, with components, dynamic zones,
 *   media and first-level relations populated. Drafts never leave this function: the query asks for
 *   `status: 'published'` and the result is checked again (`publishedAt` set) before it is returned.
 * - `onChange(listener)`: changes announced by the document guard (documents/guard.ts), after they
 *   went round every instance through the personalizer's bus.
 */
import type { Core } from '@strapi/strapi';
import type {
  AttributeSchema,
  ComponentSchema,
  ContentChange,
  ContentDocument,
  ContentModel,
  ContentSource,
  ContentTypeSchema,
} from '../../../content/types';
import { componentSchemas, contentTypeSchemas, documentsOf } from '../strapi-model';

/** What the plugin itself can do with the source beyond the contract: announce a change to listeners. */
export interface StrapiContentSource extends ContentSource {
  emit(change: ContentChange): void;
}

/** Documents are read in pages of this size, so a large type never becomes one huge query. */
const PAGE_SIZE = 200;

export default ({ strapi }: { strapi: Core.Strapi }): StrapiContentSource => {
  const listeners = new Set<(change: ContentChange) => void>();

  const contentTypes = (): ContentTypeSchema[] =>
    Object.values(contentTypeSchemas(strapi))
      .filter((schema) => schema.uid.startsWith('api::'))
      .map(toContentTypeSchema);

  const components = (): ComponentSchema[] =>
    Object.values(componentSchemas(strapi)).map((schema) => ({
      uid: schema.uid,
      category: schema.category,
      info: schema.info,
      attributes: schema.attributes,
    }));

  const componentLookup = (uid: string): ComponentSchema | undefined => componentSchemas(strapi)[uid];

  return {
    async loadModel(): Promise<ContentModel> {
      return { contentTypes: contentTypes(), components: components() };
    },

    async loadDocuments(uid: string): Promise<ContentDocument[]> {
      const schema = contentTypeSchemas(strapi)[uid];
      if (!schema || !uid.startsWith('api::'))
        throw new Error(`loadDocuments: "${uid}" is not a content type of this app`);
      const documents = documentsOf(strapi, uid);
      const populate = populateFor(schema.attributes, componentLookup);
      const draftAndPublish = schema.options?.draftAndPublish === true;
      const all: ContentDocument[] = [];
      for (let start = 0; ; start += PAGE_SIZE) {
        const page = (await documents.findMany({
          status: 'published',
          locale: '*',
          populate,
          start,
          limit: PAGE_SIZE,
          // Row ids are unique and stable, so pages neither overlap nor skip rows.
          sort: ['id:asc'],
        })) as ContentDocument[];
        // A published document always has `publishedAt`; anything else is a draft and must not leak.
        all.push(...(draftAndPublish ? page.filter((document) => Boolean(document.publishedAt)) : page));
        if (page.length < PAGE_SIZE) return all;
      }
    },

    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    emit(change) {
      for (const listener of [...listeners]) {
        try {
          listener(change);
        } catch (error) {
          strapi.log.error(`[personalize] content change listener failed: ${String(error)}`);
        }
      }
    },
  };
};

/**
 * Attributes Strapi adds to every content type at run time (timestamps, publication, authors,
 * i18n links). They are not part of the model as written in `schema.json`, the GraphQL layer
 * exposes `documentId`, `locale`, `publishedAt` and `updatedAt` on its own, and the authors are
 * admin users, which must never reach visitors.
 */
const SYSTEM_ATTRIBUTES = new Set([
  'createdAt',
  'updatedAt',
  'publishedAt',
  'createdBy',
  'updatedBy',
  'locale',
  'localizations',
]);

/** A content type as written in its schema.json (Strapi's run-time additions left out). */
function toContentTypeSchema(schema: ContentTypeSchema): ContentTypeSchema {
  return {
    uid: schema.uid,
    kind: schema.kind,
    info: schema.info,
    ...(schema.options ? { options: schema.options } : {}),
    ...(schema.pluginOptions ? { pluginOptions: schema.pluginOptions } : {}),
    attributes: Object.fromEntries(
      Object.entries(schema.attributes).filter(([name]) => !SYSTEM_ATTRIBUTES.has(name)),
    ),
  };
}

/**
 * Strapi 5's populate for "everything one level deep": components and dynamic zones in full (to any
 * depth, with their own media and relations), media, and relations without their own relations.
 */
export function populateFor(
  attributes: Record<string, AttributeSchema>,
  components: (uid: string) => ComponentSchema | undefined,
): Record<string, unknown> {
  const populate: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    if (attribute.type === 'component' && attribute.component) {
      populate[name] = componentPopulate(attribute.component, components);
    } else if (attribute.type === 'dynamiczone') {
      const on: Record<string, unknown> = {};
      for (const uid of attribute.components ?? []) on[uid] = componentPopulate(uid, components);
      populate[name] = { on };
    } else if (attribute.type === 'media' || (attribute.type === 'relation' && !attribute.private)) {
      populate[name] = true;
    }
  }
  return populate;
}

function componentPopulate(uid: string, components: (uid: string) => ComponentSchema | undefined): unknown {
  const schema = components(uid);
  const nested = schema ? populateFor(schema.attributes, components) : {};
  return Object.keys(nested).length > 0 ? { populate: nested } : true;
}
