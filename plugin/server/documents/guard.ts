/**
 * The document service middleware that keeps the plugin's promises on every write, whoever makes it
 * (Content Manager, REST, GraphQL, a script using `strapi.documents`):
 *
 * - an entry whose segments field names an unknown segment is refused (ValidationError, with the
 *   path of the field, so the admin shows it under the field);
 * - a segment or score change that would leave the rule set uncompilable is refused with the
 *   compiler's message, and a segment still tagged on content can be neither deleted nor re-keyed;
 * - after a write that changed published content, every instance refreshes its content snapshot;
 *   after a segment or score write, every instance reloads the rules; after an API key write
 *   (the admin page writes around this guard and announces itself), every instance reloads the keys.
 *
 * Announcing happens after the write committed and never fails it: a failed announcement is logged
 * (the next one, or a restart, brings instances back in step); a lost write would be worse.
 */
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { AttributeSchema, ContentChange } from '../../../content/types';
import type segmentsService from '../services/segments';
import type { RuleChange } from '../services/segments';
import { collectSegmentTags, type TagIssue } from '../tags/collect-tags';
import { API_KEY_UID, SCORE_UID, SEGMENT_UID } from '../uids';
import { getService } from '../get-service';
import { componentSchemas } from '../strapi-model';

type SegmentsService = ReturnType<typeof segmentsService>;

/** The part of a document middleware context this guard reads. */
interface WriteContext {
  uid: string;
  action: string;
  contentType: { attributes: Record<string, AttributeSchema>; options?: { draftAndPublish?: boolean } };
  params: { documentId?: string; data?: Record<string, unknown>; status?: string };
}

const RULE_ACTIONS = new Set(['create', 'update', 'delete']);
/** Actions that can change what is published (for types without draft/publish: every write). */
const PUBLISHING_ACTIONS = new Set(['publish', 'unpublish', 'delete']);
const WRITE_ACTIONS = new Set([
  'create',
  'update',
  'delete',
  'clone',
  'publish',
  'unpublish',
  'discardDraft',
]);

/** Installs the guard on Strapi's document service. Called once, in the plugin's register(). */
export function installDocumentGuard(strapi: Core.Strapi): void {
  const segments = () => getService(strapi, 'segments');
  const runtime = () => getService(strapi, 'runtime');

  strapi.documents.use(async (rawContext, next) => {
    const context = rawContext as unknown as WriteContext;
    const { uid, action, params } = context;

    if (uid === SEGMENT_UID || uid === SCORE_UID) {
      if (!RULE_ACTIONS.has(action)) return next();
      const change: RuleChange = {
        uid,
        action: action as 'create' | 'update' | 'delete',
        ...(params.documentId ? { documentId: params.documentId } : {}),
        ...(params.data ? { data: params.data } : {}),
      };
      await segments().assertKeyNotInUse(change);
      await segments().assertCompilesWith(change);
      const result = await next();
      afterCommit(strapi, () =>
        runtime()
          .announceRules()
          .catch((error: unknown) =>
            strapi.log.error(`[personalize] announcing a rules change failed: ${String(error)}`),
          ),
      );
      return result;
    }

    if (uid === API_KEY_UID) {
      const result = await next();
      if (WRITE_ACTIONS.has(action))
        afterCommit(strapi, () =>
          getService(strapi, 'api-keys')
            .announce()
            .catch((error: unknown) =>
              strapi.log.error(`[personalize] announcing an API key change failed: ${String(error)}`),
            ),
        );
      return result;
    }

    if (!uid.startsWith('api::') || !WRITE_ACTIONS.has(action)) return next();
    if ((action === 'create' || action === 'update' || action === 'clone') && params.data)
      await assertKnownTags(strapi, segments(), context.contentType.attributes, params.data);
    const result = await next();
    if (changesPublished(context)) {
      const documentId = params.documentId ?? documentIdOf(result);
      const change: ContentChange = {
        kind: 'documents',
        uid,
        ...(documentId ? { documentIds: [documentId] } : {}),
      };
      afterCommit(strapi, () => runtime().announceContent(change));
    }
    return result;
  });
}

/**
 * Refuses data whose segments fields are malformed or name segments that do not exist.
 *
 * @throws errors.ValidationError with one detail per offending field (`path` as Strapi reports it).
 */
async function assertKnownTags(
  strapi: Core.Strapi,
  segments: SegmentsService,
  attributes: Record<string, AttributeSchema>,
  data: Record<string, unknown>,
): Promise<void> {
  const components = (uid: string) => componentSchemas(strapi)[uid];
  const { uses, issues } = collectSegmentTags(attributes, data, components);
  const problems: TagIssue[] = [...issues];
  const unknown = new Set(await segments.unknownKeys(uses.flatMap((use) => use.keys)));
  for (const use of uses) {
    const missing = use.keys.filter((key) => unknown.has(key));
    if (missing.length > 0)
      problems.push({
        path: use.path,
        message: `unknown segment${missing.length > 1 ? 's' : ''} ${missing.map((key) => `"${key}"`).join(', ')}: create ${missing.length > 1 ? 'them' : 'it'} on the Segments page first`,
      });
  }
  if (problems.length === 0) return;
  throw new errors.ValidationError(
    problems.map((problem) => `${problem.path.join('.')}: ${problem.message}`).join('; '),
    {
      errors: problems.map((problem) => ({
        path: problem.path.map(String),
        message: problem.message,
        name: 'ValidationError',
      })),
    },
  );
}

/**
 * Runs `announce` once the write is visible to other connections: at once, or, when the write ran
 * inside a caller's transaction, when that transaction commits (never if it rolls back). Otherwise
 * instances could reload before the commit and keep the old content until the next change.
 */
function afterCommit(strapi: Core.Strapi, announce: () => unknown): void {
  if (!strapi.db.inTransaction()) {
    announce();
    return;
  }
  void strapi.db.transaction(({ onCommit }: { onCommit: (callback: () => unknown) => void }) =>
    onCommit(announce),
  );
}

/** Whether this write can have changed the published version of a document. */
function changesPublished(context: WriteContext): boolean {
  if (context.contentType.options?.draftAndPublish !== true) return true;
  if (PUBLISHING_ACTIONS.has(context.action)) return true;
  // A create or update that publishes at once (`status: 'published'`) changes published content too.
  return (
    (context.action === 'create' || context.action === 'update') && context.params.status === 'published'
  );
}

function documentIdOf(result: unknown): string | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const documentId = (result as { documentId?: unknown }).documentId;
  return typeof documentId === 'string' ? documentId : undefined;
}
