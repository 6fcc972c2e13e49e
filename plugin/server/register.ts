/**
 * register(): what must exist before Strapi loads content: the segments custom field (so content
 * types that use it validate), and the document guard (documents/guard.ts).
 */
import type { Core } from '@strapi/strapi';
import { installDocumentGuard } from './documents/guard';
import { PLUGIN_ID } from './uids';

export default ({ strapi }: { strapi: Core.Strapi }): void => {
  // Stored as JSON: an array of segment keys. Empty or absent = shown to everyone.
  strapi.customFields.register({ name: 'segments', plugin: PLUGIN_ID, type: 'json' });
  installDocumentGuard(strapi);
};
