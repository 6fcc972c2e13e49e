/**
 * GET /preview/:uid/:documentId?locale=: the "Preview as segment" panel of an entry. Reads the
 * published version (what visitors get; the draft when nothing is published yet, marked as such)
 * and says what each audience sees (tags/preview.ts).
 */
import type { Core } from '@strapi/strapi';
import type { AdminContext } from './context';
import { errors } from '@strapi/utils';
import type { AttributeSchema } from '../../../content/types';
import { populateFor } from '../services/content-source';
import { previewDocument } from '../tags/preview';
import { getService } from '../get-service';
import { componentSchemas, contentTypeSchemas, documentsOf } from '../strapi-model';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async preview(ctx: AdminContext): Promise<void> {
    const { uid = '', documentId = '' } = ctx.params;
    const schema = contentTypeSchemas(strapi)[uid];
    if (!schema || !uid.startsWith('api::')) throw new errors.NotFoundError(`no content type ${uid}`);
    const components = (key: string) => componentSchemas(strapi)[key];
    const locale = typeof ctx.query.locale === 'string' ? ctx.query.locale : undefined;
    const documents = documentsOf(strapi, uid);
    const read = (status: 'published' | 'draft') =>
      documents.findOne({
        documentId,
        status,
        populate: populateFor(schema.attributes, components),
        ...(locale ? { locale } : {}),
      });
    const published = await read('published');
    const document = published ?? (await read('draft'));
    if (!document) throw new errors.NotFoundError(`no document ${documentId}`);
    const segments = await getService(strapi, 'segments').findSegments();
    ctx.body = {
      data: {
        published: published !== null,
        audiences: previewDocument(
          document,
          schema.attributes as Record<string, AttributeSchema>,
          components,
          segments,
        ),
      },
    };
  },
});
