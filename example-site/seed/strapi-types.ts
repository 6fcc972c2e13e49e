/**
 * The slice of a Strapi 5 instance the seed uses, typed structurally so the seed compiles and is
 * tested without importing Strapi's own (heavy) type packages. A real `Core.Strapi` satisfies it.
 */

/** `strapi.documents(uid)`: the document service of one content type. */
export interface DocumentService {
  findFirst(params?: {
    filters?: Record<string, unknown>;
    status?: 'draft' | 'published';
    populate?: unknown;
  }): Promise<Record<string, unknown> | null>;
  create(params: {
    data: Record<string, unknown>;
    status?: 'draft' | 'published';
  }): Promise<Record<string, unknown>>;
}

/** What `seedDemo` needs from Strapi. */
export interface SeedableStrapi {
  documents(uid: string): DocumentService;
  /** Registered content types and components, to check the demo model is there before writing. */
  contentTypes: Record<string, unknown>;
  components: Record<string, unknown>;
  service(uid: string): unknown;
  log: { info(message: string): void; warn(message: string): void };
}
