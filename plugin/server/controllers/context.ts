/** The slice of Koa's context the admin controllers read and write. */
export interface AdminContext {
  params: Record<string, string>;
  query: Record<string, unknown>;
  request: { body?: unknown };
  body: unknown;
  status: number;
  /** Set by Strapi's admin authentication: what the signed-in admin may do (RBAC). */
  state?: { userAbility?: { can(action: string, subject?: unknown): boolean } };
}

/** The `:documentId` of a route that declares one (the router always sets it there). */
export function documentIdOf(ctx: Pick<AdminContext, 'params'>): string {
  const documentId = ctx.params.documentId;
  if (documentId === undefined) throw new Error('this route has no :documentId');
  return documentId;
}
