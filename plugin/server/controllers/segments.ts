/**
 * The admin API behind the Segments page. Writes go through the document service, so the document
 * guard validates them (a rule that does not compile comes back as a 400 with the compiler's
 * message) and announces them to every instance.
 */
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { documentIdOf, type AdminContext } from './context';
import { writableData } from './request-data';
import { SEGMENT_UID } from '../uids';
import { getService } from '../get-service';
import type { Segment, SegmentOption } from '../../shared/admin-api';
import { documentsOf } from '../strapi-model';

/** The attributes an editor may write; anything else in a request body is refused, not ignored. */
const WRITABLE = ['key', 'name', 'description', 'priority', 'enabled', 'rule'] as const;

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const segments = () => getService(strapi, 'segments');
  const documents = () => documentsOf(strapi, SEGMENT_UID);

  /** Member counts from the personalizer, or null when its store cannot answer now. */
  async function memberCounts(): Promise<Record<string, number> | null> {
    const personalizer = getService(strapi, 'runtime').personalizer();
    try {
      return await personalizer.countMembers();
    } catch (error) {
      strapi.log.warn(`[personalize] counting segment members failed: ${String(error)}`);
      return null;
    }
  }

  return {
    /**
     * GET /segments: every segment, highest priority first, with its current member count when the
     * profile store can count (`members: null` otherwise). The page polls it to keep counts live.
     */
    async find(ctx: AdminContext): Promise<void> {
      const [rows, counts] = await Promise.all([segments().findSegments(), memberCounts()]);
      const data: Segment[] = rows.map((row) => ({
        ...row,
        members: counts ? (counts[row.key] ?? 0) : null,
      }));
      ctx.body = { data };
    },

    /**
     * GET /segment-options: what the tags field shows (key, name, priority, state), for any admin:
     * an Author tags content without the permission to read or edit rules.
     */
    async options(ctx: AdminContext): Promise<void> {
      const data: SegmentOption[] = (await segments().findSegments()).map(
        ({ key, name, priority, enabled }) => ({ key, name, priority, enabled }),
      );
      ctx.body = { data };
    },

    /** GET /segments/:documentId */
    async findOne(ctx: AdminContext): Promise<void> {
      const found = (await segments().findSegments()).find((row) => row.documentId === ctx.params.documentId);
      if (!found) throw new errors.NotFoundError(`no segment ${ctx.params.documentId}`);
      const data: Segment = found;
      ctx.body = { data };
    },

    /** POST /segments */
    async create(ctx: AdminContext): Promise<void> {
      const data = writableData(ctx.request.body, WRITABLE, 'segment');
      ctx.body = { data: await documents().create({ data }) };
      ctx.status = 201;
    },

    /** PUT /segments/:documentId */
    async update(ctx: AdminContext): Promise<void> {
      const data = writableData(ctx.request.body, WRITABLE, 'segment');
      const updated = await documents().update({ documentId: documentIdOf(ctx), data });
      if (!updated) throw new errors.NotFoundError(`no segment ${ctx.params.documentId}`);
      ctx.body = { data: updated };
    },

    /** DELETE /segments/:documentId (refused while another segment's rule refers to it). */
    async delete(ctx: AdminContext): Promise<void> {
      const deleted = await documents().delete({ documentId: documentIdOf(ctx) });
      ctx.body = { data: deleted };
    },
  };
};
