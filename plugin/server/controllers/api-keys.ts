/**
 * The admin API behind the API keys page (routes/admin.ts, `plugin::personalize.api-keys.manage`).
 * Creating and rotating answer the key itself, once: only its SHA-256 is stored, so it can never
 * be shown again. No answer carries a hash.
 */
import type { Core } from '@strapi/strapi';
import type { AdminContext } from './context';
import { getService } from '../get-service';

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const apiKeys = () => getService(strapi, 'api-keys');
  return {
    /** GET /api-keys: every key, newest first (revoked ones too, marked). */
    async find(ctx: AdminContext): Promise<void> {
      ctx.body = { data: await apiKeys().list() };
    },

    /** POST /api-keys `{ data: { name, scopes } }` → 201 with `key`, shown this once. */
    async create(ctx: AdminContext): Promise<void> {
      ctx.body = { data: await apiKeys().create(ctx.request.body) };
      ctx.status = 201;
    },

    /** POST /api-keys/:documentId/rotate → the new `key`, shown this once. */
    async rotate(ctx: AdminContext): Promise<void> {
      ctx.body = { data: await apiKeys().rotate(ctx.params.documentId!) };
    },

    /** POST /api-keys/:documentId/revoke */
    async revoke(ctx: AdminContext): Promise<void> {
      ctx.body = { data: await apiKeys().revoke(ctx.params.documentId!) };
    },
  };
};
