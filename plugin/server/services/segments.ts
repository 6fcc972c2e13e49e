/**
 * The `segments` service: reads segments and scores from the database into the engine's
 * `RuleSetSource`, and decides whether a proposed change to them would still compile.
 *
 * It reads through `strapi.db.query` (not the document service): segments and scores have no drafts
 * and no locales, so a row is the document, and the document service middleware that guards writes
 * (documents/guard.ts) is not re-entered from inside itself.
 */
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { compileRuleSet, RuleCompileError } from '../../../engine';
import type { RuleSetSource, SegmentDefinition } from '../../../engine/types';
import { carriesSegmentTags } from '../../../content/model';
import { collectSegmentTags } from '../tags/collect-tags';
import { SCORE_UID, SEGMENT_UID } from '../uids';
import { populateFor } from './content-source';
import { componentSchemas, contentTypeSchemas, documentsOf } from '../strapi-model';

/** A segment row as stored (plus the document id and timestamps Strapi adds). */
export interface SegmentRow extends SegmentDefinition {
  id: number;
  documentId: string;
  description?: string;
  updatedAt?: string;
}

/** A score row as stored: the engine's score definition plus Strapi's ids. */
export interface ScoreRow {
  id: number;
  documentId: string;
  key: string;
  name: string;
  description?: string | null;
  within?: string | null;
  halfLife?: string | null;
  points: unknown;
}

/** A proposed write to a segment or a score, as the document service receives it. */
export interface RuleChange {
  uid: typeof SEGMENT_UID | typeof SCORE_UID;
  action: 'create' | 'update' | 'delete';
  documentId?: string;
  data?: Record<string, unknown>;
}

const SEGMENT_FIELDS = [
  'id',
  'documentId',
  'key',
  'name',
  'description',
  'priority',
  'enabled',
  'rule',
  'updatedAt',
];
const SCORE_FIELDS = ['id', 'documentId', 'key', 'name', 'description', 'within', 'halfLife', 'points'];

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const segmentQuery = () => strapi.db.query(SEGMENT_UID);
  const scoreQuery = () => strapi.db.query(SCORE_UID);

  async function findSegments(): Promise<SegmentRow[]> {
    return (await segmentQuery().findMany({
      select: SEGMENT_FIELDS,
      orderBy: [{ priority: 'desc' }, { key: 'asc' }],
    })) as SegmentRow[];
  }

  async function findScores(): Promise<ScoreRow[]> {
    return (await scoreQuery().findMany({ select: SCORE_FIELDS, orderBy: { key: 'asc' } })) as ScoreRow[];
  }

  return {
    findSegments,
    findScores,

    /** Every stored segment and score, in the shape `compileRuleSet` and `Personalizer.setRules` take. */
    async ruleSetSource(): Promise<RuleSetSource> {
      const [segments, scores] = await Promise.all([findSegments(), findScores()]);
      return { segments: segments.map(toDefinition), scores: scores.map(toScoreDefinition) };
    },

    /** The keys among `keys` that name no segment (enabled or not), in their order of appearance. */
    async unknownKeys(keys: Iterable<string>): Promise<string[]> {
      const wanted = [...new Set(keys)];
      if (wanted.length === 0) return [];
      const rows = (await segmentQuery().findMany({
        select: ['key'],
        where: { key: { $in: wanted } },
      })) as Array<{ key: string }>;
      const known = new Set(rows.map((row) => row.key));
      return wanted.filter((key) => !known.has(key));
    },

    /**
     * Refuses deleting a segment, or changing its key, while content is tagged with it: the tagged
     * entries and blocks would silently disappear for everyone.
     *
     * @throws errors.ValidationError naming the segment and a few entries that use it.
     */
    async assertKeyNotInUse(change: RuleChange): Promise<void> {
      if (change.uid !== SEGMENT_UID || !change.documentId) return;
      const current = (await segmentQuery().findOne({
        select: ['key'],
        where: { documentId: change.documentId },
      })) as { key: string } | null;
      if (!current) return;
      const renamed =
        change.action === 'update' && typeof change.data?.key === 'string' && change.data.key !== current.key;
      if (change.action !== 'delete' && !renamed) return;
      const uses = await findTagUses(strapi, current.key, 3);
      if (uses.length === 0) return;
      const where = uses.map(
        (use) => `${contentTypeSchemas(strapi)[use.uid]?.info.displayName ?? use.uid} ${use.documentId}`,
      );
      throw new errors.ValidationError(
        `Segment "${current.key}" is still used by content (${where.join(', ')}${uses.length === 3 ? ', …' : ''}): remove it from their segments first`,
        {
          errors: [
            {
              path: change.action === 'delete' ? [] : ['key'],
              message: 'still used by tagged content',
              name: 'ValidationError',
            },
          ],
        },
      );
    },

    /**
     * Compiles the rule set as it would be after `change`, and refuses the change when it would not
     * compile: a bad rule, a reference to a missing segment or score, a cycle, or deleting something
     * another rule still uses.
     *
     * @throws errors.ValidationError whose details carry one `{ path, message }` per compiler issue,
     *   the path starting at the attribute (`['rule', ...]`) when the issue is in the changed segment.
     */
    async assertCompilesWith(change: RuleChange): Promise<void> {
      const [segments, scores] = await Promise.all([findSegments(), findScores()]);
      const candidate =
        change.uid === SEGMENT_UID
          ? {
              segments: applyChange(segments, change).map(toDefinition),
              scores: scores.map(toScoreDefinition),
            }
          : {
              segments: segments.map(toDefinition),
              scores: applyChange(scores, change).map(toScoreDefinition),
            };
      try {
        compileRuleSet(candidate);
      } catch (error) {
        if (!(error instanceof RuleCompileError)) throw error;
        const changedKey = changedKeyOf(change, change.uid === SEGMENT_UID ? segments : scores);
        const details = error.issues.map((issue) => issueDetail(issue, change, changedKey));
        throw new errors.ValidationError(
          `${change.action === 'delete' ? 'Cannot delete' : 'Invalid rule'}: ${details.map((detail) => detail.message).join('; ')}`,
          { errors: details },
        );
      }
    },
  };
};

/**
 * Up to `limit` documents (drafts and published versions, every locale) whose segments fields,
 * anywhere in the entry, contain `key`. A scan: segment deletions and renames are rare, and
 * correctness matters more than speed there.
 */
async function findTagUses(
  strapi: Core.Strapi,
  key: string,
  limit: number,
): Promise<Array<{ uid: string; documentId: string }>> {
  const components = (uid: string) => componentSchemas(strapi)[uid];
  const found: Array<{ uid: string; documentId: string }> = [];
  for (const schema of Object.values(contentTypeSchemas(strapi))) {
    if (!schema.uid.startsWith('api::') || !carriesSegmentTags(schema, components)) continue;
    for (const status of ['draft', 'published'] as const) {
      const documents = await documentsOf(strapi, schema.uid).findMany({
        status,
        locale: '*',
        populate: populateFor(schema.attributes, components),
      });
      for (const document of documents) {
        const { uses } = collectSegmentTags(schema.attributes, document, components);
        if (!uses.some((use) => use.keys.includes(key))) continue;
        if (!found.some((entry) => entry.documentId === document.documentId))
          found.push({ uid: schema.uid, documentId: document.documentId });
        if (found.length >= limit) return found;
      }
    }
  }
  return found;
}

/** The rows as they would be after `change` (by document id; `create` appends). */
function applyChange<Row extends { documentId: string }>(rows: Row[], change: RuleChange): Row[] {
  if (change.action === 'delete') return rows.filter((row) => row.documentId !== change.documentId);
  if (change.action === 'create') return [...rows, { documentId: '(new)', ...change.data } as unknown as Row];
  return rows.map((row) => (row.documentId === change.documentId ? { ...row, ...change.data } : row));
}

/**
 * One compiler issue as a Strapi validation detail. An issue in the segment being saved points at
 * its `rule` attribute (so the admin shows it under the rule editor); an issue in a score points at
 * the score attribute it names; an issue elsewhere (another segment that refers to this one) keeps
 * its own segment's name in the message and points at nothing.
 */
function issueDetail(
  issue: { segment?: string; path: string; message: string },
  change: RuleChange,
  changedKey: string | undefined,
): { path: string[]; message: string; name: 'ValidationError' } {
  const inThisSegment =
    change.uid === SEGMENT_UID && issue.segment !== undefined && issue.segment === changedKey;
  const scoreAttribute = /^scores\[[^\]]*\]\.(\w+)/.exec(issue.path)?.[1];
  const path = inThisSegment
    ? ['rule']
    : change.uid === SCORE_UID && scoreAttribute && issue.segment === undefined
      ? [scoreAttribute]
      : [];
  const where = issue.segment !== undefined && !inThisSegment ? `segment "${issue.segment}", ` : '';
  return { path, message: `${where}${issue.path}: ${issue.message}`, name: 'ValidationError' };
}

function changedKeyOf(
  change: RuleChange,
  rows: Array<{ documentId: string; key: string }>,
): string | undefined {
  const key = change.data?.key;
  if (typeof key === 'string') return key;
  return rows.find((row) => row.documentId === change.documentId)?.key;
}

function toDefinition(row: SegmentRow): SegmentDefinition {
  return {
    key: row.key,
    name: row.name,
    ...(row.description ? { description: row.description } : {}),
    priority: Number(row.priority ?? 0),
    enabled: row.enabled !== false,
    rule: row.rule,
  };
}

function toScoreDefinition(row: ScoreRow): Record<string, unknown> {
  return {
    key: row.key,
    name: row.name,
    ...(row.description ? { description: row.description } : {}),
    ...(row.within ? { within: row.within } : {}),
    ...(row.halfLife ? { halfLife: row.halfLife } : {}),
    points: row.points,
  };
}
