/**
 * Admin users for tests: creates one with a given role (super admin, editor or author) through
 * Strapi's own admin services and logs in over HTTP, as the admin panel does, returning the JWT.
 */
import type { Core } from '@strapi/strapi';

export type AdminRoleCode = 'strapi-super-admin' | 'strapi-editor' | 'strapi-author';

interface AdminServices {
  user: { create(attributes: Record<string, unknown>): Promise<unknown> };
  role: { findOne(where: Record<string, unknown>): Promise<{ id: number } | null> };
}

/** Creates an active admin with `role` and returns a session token for the admin API. */
export async function adminSession(
  strapi: Core.Strapi,
  baseUrl: string,
  role: AdminRoleCode,
): Promise<{ email: string; password: string; token: string }> {
  const roles = strapi.service('admin::role') as unknown as AdminServices['role'];
  const found = await roles.findOne({ code: role });
  if (!found) throw new Error(`no admin role ${role}`);
  return adminInRole(strapi, baseUrl, found.id, { prefix: role, firstname: 'Test', lastname: role });
}

/**
 * Creates an active admin in the role `roleId` (email `<prefix>-<random>@example.test`) and logs
 * in over HTTP: the credentials and the session token.
 */
export async function adminInRole(
  strapi: Core.Strapi,
  baseUrl: string,
  roleId: number,
  names: { prefix: string; firstname: string; lastname: string },
): Promise<{ email: string; password: string; token: string }> {
  const email = `${names.prefix}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const password = 'Test-password-1';
  await (strapi.service('admin::user') as unknown as AdminServices['user']).create({
    email,
    firstname: names.firstname,
    lastname: names.lastname,
    password,
    isActive: true,
    registrationToken: null,
    roles: [roleId],
  });
  const response = await fetch(`${baseUrl}/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await response.json()) as { data?: { token?: string } };
  if (!response.ok || !body.data?.token)
    throw new Error(`admin login failed: ${response.status} ${JSON.stringify(body)}`);
  return { email, password, token: body.data.token };
}
