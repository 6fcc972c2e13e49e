/**
 * The admin API of scores (weighted event points that segment rules compare with thresholds).
 * Writes go through the document service: the guard compiles the whole rule set with the change
 * and refuses one that breaks it (a bad score, or deleting a score a rule uses).
 */
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { SCORE_UID } from '../uids';
import { documentIdOf, type AdminContext } from './context';
import { writableData } from './request-data';
import { getService } from '../get-service';
import { documentsOf } from '../strapi-model';

const WRITABLE = ['key', 'name', 'description', 'within', 'halfLife', 'points'] as const;

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const documents = () => documentsOf(strapi, SCORE_UID);

  return {
    /** GET /scores */
    async find(ctx: AdminContext): Promise<void> {
      ctx.body = {
        data: await getService(strapi, 'segments').findScores(),
      };
    },

    /** POST /scores */
    async create(ctx: AdminContext): Promise<void> {
      const data = writableData(ctx.request.body, WRITABLE, 'score');
      ctx.body = { data: await documents().create({ data }) };
      ctx.status = 201;
    },

    /** PUT /scores/:documentId */
    async update(ctx: AdminContext): Promise<void> {
      const data = writableData(ctx.request.body, WRITABLE, 'score');
      const updated = await documents().update({ documentId: documentIdOf(ctx), data });
      if (!updated) throw new errors.NotFoundError(`no score ${ctx.params.documentId}`);
      ctx.body = { data: updated };
    },

    /** DELETE /scores/:documentId (refused while a segment's rule uses the score). */
    async delete(ctx: AdminContext): Promise<void> {
      ctx.body = { data: await documents().delete({ documentId: documentIdOf(ctx) }) };
    },
  };
};
