/**
 * Strapi's content model and document service, typed with this project's schema types
 * (content/types.ts). Strapi types both by the uids an app generates (`api::article.article`),
 * which a plugin serving any app's content cannot name, so the one cast from those types to ours
 * is made here and every caller reads plain records.
 */
import type { Core } from '@strapi/strapi';
import type { ComponentSchema, ContentTypeSchema } from '../../content/types';

/** A document as the document service returns it (populated as asked). */
export type StoredDocument = Record<string, unknown> & { documentId: string };

/** Parameters of a document service call; Strapi validates them itself. */
type Params = Record<string, unknown>;

/** The document service calls the plugin makes, on a uid known only at run time. */
export interface Documents {
  findMany(params: Params): Promise<StoredDocument[]>;
  findOne(params: Params & { documentId: string }): Promise<StoredDocument | null>;
  create(params: Params & { data: Record<string, unknown> }): Promise<StoredDocument>;
  update(
    params: Params & { documentId: string; data: Record<string, unknown> },
  ): Promise<StoredDocument | null>;
  delete(params: Params & { documentId: string }): Promise<unknown>;
}

/** The document service of `uid` (a content type of the app or of the plugin). */
export function documentsOf(strapi: Core.Strapi, uid: string): Documents {
  return strapi.documents(uid as Parameters<typeof strapi.documents>[0]) as unknown as Documents;
}

/** Every content type of the app (plugins' and Strapi's own included), by uid. */
export function contentTypeSchemas(strapi: Core.Strapi): Record<string, ContentTypeSchema> {
  return strapi.contentTypes as unknown as Record<string, ContentTypeSchema>;
}

/** Every component of the app, by uid. */
export function componentSchemas(strapi: Core.Strapi): Record<string, ComponentSchema> {
  return strapi.components as unknown as Record<string, ComponentSchema>;
}
