/**
 * The contract between a content source (the Strapi plugin, or JSON files for the standalone
 * server) and the GraphQL layer. Content types are described in Strapi's own schema format, so the
 * plugin passes `strapi.contentTypes` / `strapi.components` through unchanged.
 */

/** The custom field that carries segment tags: `{ type: 'json', customField: SEGMENTS_FIELD }`. */
export const SEGMENTS_FIELD = 'plugin::personalize.segments';

/** One attribute in Strapi's schema format (`type` plus kind-specific options). */
export interface AttributeSchema {
  type: string;
  customField?: string;
  required?: boolean;
  /** enumeration */
  enum?: string[];
  /** component */
  component?: string;
  repeatable?: boolean;
  /** dynamiczone */
  components?: string[];
  /** media */
  multiple?: boolean;
  allowedTypes?: string[];
  /** relation */
  relation?: string;
  target?: string;
  private?: boolean;
  [option: string]: unknown;
}

/** A content type as in `strapi.contentTypes[uid]` (its `schema.json`, plus `uid`). */
export interface ContentTypeSchema {
  uid: string;
  kind: 'collectionType' | 'singleType';
  info: { singularName: string; pluralName: string; displayName: string; description?: string };
  options?: { draftAndPublish?: boolean; [option: string]: unknown };
  pluginOptions?: { i18n?: { localized?: boolean }; [plugin: string]: unknown };
  attributes: Record<string, AttributeSchema>;
}

/** A component as in `strapi.components[uid]`. */
export interface ComponentSchema {
  uid: string;
  category: string;
  info: { displayName: string; description?: string };
  attributes: Record<string, AttributeSchema>;
}

export interface ContentModel {
  contentTypes: ContentTypeSchema[];
  components: ComponentSchema[];
}

/**
 * One published document, as Strapi's document service returns it with components, dynamic zones
 * (`__component` on each block), media and first-level relations populated.
 */
export interface ContentDocument {
  documentId: string;
  locale?: string | null;
  publishedAt?: string | null;
  updatedAt?: string | null;
  [attribute: string]: unknown;
}

export type ContentChange =
  /** Documents of one type were published, unpublished, updated or deleted (ids when known). */
  | { kind: 'documents'; uid: string; documentIds?: string[] }
  /** Content types or components changed: the typed schema must be rebuilt. */
  | { kind: 'model' };

/** Where the GraphQL layer gets personalizable content. Read at start-up and on change, never per request. */
export interface ContentSource {
  loadModel(): Promise<ContentModel>;
  /** Published documents of one content type, every locale. Drafts must never be returned. */
  loadDocuments(uid: string): Promise<ContentDocument[]>;
  /** Notifies of changes (on this instance; cross-instance fan-out is the caller's job). */
  onChange(listener: (change: ContentChange) => void): () => void;
}
