/**
 * register(): what must exist before Strapi loads content: the segments custom field (so content
 * types that use it validate), the document guard (documents/guard.ts), and the CORS guard of the
 * endpoint's path (http/cors.ts), which must run before the app's `strapi::cors`.
 */
import type { Core } from '@strapi/strapi';
import { parsePluginConfig } from './config/schema';
import { installDocumentGuard } from './documents/guard';
import { corsGuard } from './http/cors';
import { PLUGIN_ID } from './uids';

export default ({ strapi }: { strapi: Core.Strapi }): void => {
  // Stored as JSON: an array of segment keys. Empty or absent = shown to everyone.
  strapi.customFields.register({ name: 'segments', plugin: PLUGIN_ID, type: 'json' });
  installDocumentGuard(strapi);
  // Before the app's middlewares (added at bootstrap), so strapi::cors never answers for our path.
  const config = parsePluginConfig(strapi.config.get(`plugin::${PLUGIN_ID}`));
  strapi.server.use(corsGuard(config.path, config.cors.origins));
};
