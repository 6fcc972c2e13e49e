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
