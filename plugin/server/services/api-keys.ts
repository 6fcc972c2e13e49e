/**
 * The `api-keys` service: the server API's keys, stored as `plugin::personalize.api-key` rows
 * (the SHA-256 of each key, never the key) and held in memory on every instance (an `ApiKeySet`),
 * so verifying a key costs one hash and no database read.
 *
 *   admin creates / rotates / revokes ─▶ row written ─▶ this instance reloads at once, then
 *   bus 'api-keys' ─▶ every instance reloads (within the bus latency: milliseconds)
 *
 * A write made some other way (the document service, a script) is announced by the document
 * guard; an instance whose bus link dropped reloads when it is back. Rotation keeps the previous
 * secret valid for `serverApi.rotationGraceMs` (default 1 hour, 0 = not at all) so a backend can be
 * redeployed with the new key without failed calls; revocation refuses both at once.
 *
 * When a key was last used is written at most once a minute per instance (an update of the rows
 * used meanwhile), never on the request path.
 */
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { TOPICS } from '../../../engine/bus/topics';
import type { Personalizer } from '../../../engine/types';
import {
  API_KEY_SCOPES,
  ApiKeySet,
  assertApiKeyRecord,
  isApiKeyScope,
  mintApiKey,
  type ApiKeyCheck,
  type ApiKeyRecord,
  type ApiKeys,
  type ApiKeyScope,
} from '../../../server/api-keys';
import { pluginLogger } from '../logger';
import { API_KEY_UID } from '../uids';

const LAST_USED_FLUSH_MS = 60_000;

/** A stored key as the admin API shows it: never a hash. */
export interface ApiKeyView {
  documentId: string;
  keyId: string;
  /** The recognisable start of the key: `pzk_<keyId>_…`. */
  prefix: string;
  name: string;
  scopes: ApiKeyScope[];
  createdAt: string | null;
  rotatedAt: string | null;
  /** Until when the secret in force before the last rotation still works. */
  previousValidUntil: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

interface ApiKeyRow {
  id: number;
  documentId: string;
  keyId: string;
  name: string;
  scopes: unknown;
  secretHash: string;
  previousSecretHash?: string | null;
  previousValidUntil?: string | Date | null;
  rotatedAt?: string | Date | null;
  revokedAt?: string | Date | null;
  lastUsedAt?: string | Date | null;
  createdAt?: string | Date | null;
}

const ROW_FIELDS = [
  'id',
  'documentId',
  'keyId',
  'name',
  'scopes',
  'secretHash',
  'previousSecretHash',
  'previousValidUntil',
  'rotatedAt',
  'revokedAt',
  'lastUsedAt',
  'createdAt',
];

const iso = (value: string | Date | null | undefined): string | null =>
  value === null || value === undefined ? null : new Date(value).toISOString();

function view(row: ApiKeyRow): ApiKeyView {
  return {
    documentId: row.documentId,
    keyId: row.keyId,
    prefix: `pzk_${row.keyId}_`,
    name: row.name,
    scopes: Array.isArray(row.scopes) ? (row.scopes.filter(isApiKeyScope) as ApiKeyScope[]) : [],
    createdAt: iso(row.createdAt),
    rotatedAt: iso(row.rotatedAt),
    previousValidUntil: iso(row.previousValidUntil),
    revokedAt: iso(row.revokedAt),
    lastUsedAt: iso(row.lastUsedAt),
  };
}

function record(row: ApiKeyRow): ApiKeyRecord {
  const until = row.previousValidUntil ? new Date(row.previousValidUntil).getTime() : undefined;
  return {
    id: row.keyId,
    name: row.name,
    scopes: (Array.isArray(row.scopes) ? row.scopes : []) as ApiKeyScope[],
    hash: row.secretHash,
    ...(row.previousSecretHash && until !== undefined
      ? { previousHash: row.previousSecretHash, previousValidUntil: until }
      : {}),
    ...(row.revokedAt ? { revoked: true } : {}),
  };
}

/** The attributes a creation takes, checked; anything else is refused. */
function creation(body: unknown): { name: string; scopes: ApiKeyScope[] } {
  const data = (body as { data?: unknown } | undefined)?.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new errors.ValidationError('the request body must be { "data": { "name", "scopes" } }');
  const { name, scopes, ...rest } = data as Record<string, unknown>;
  const problems: Array<{ path: string[]; message: string; name: 'ValidationError' }> = [];
  const problem = (path: string, message: string) =>
    problems.push({ path: [path], message, name: 'ValidationError' });
  for (const other of Object.keys(rest)) problem(other, 'is not an API key attribute (name, scopes)');
  if (typeof name !== 'string' || name.trim() === '' || name.length > 120)
    problem('name', 'must be 1 to 120 characters');
  if (
    !Array.isArray(scopes) ||
    scopes.length === 0 ||
    !scopes.every(isApiKeyScope) ||
    new Set(scopes).size !== scopes.length
  )
    problem('scopes', `must list one or more distinct scopes of ${API_KEY_SCOPES.join(', ')}`);
  if (problems.length > 0)
    throw new errors.ValidationError(problems.map((p) => `${p.path[0]}: ${p.message}`).join('; '), {
      errors: problems,
    });
  return { name: (name as string).trim(), scopes: scopes as ApiKeyScope[] };
}

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const keys = new ApiKeySet();
  const logger = pluginLogger(strapi);
  const query = () => strapi.db.query(API_KEY_UID);
  let personalizer: Personalizer | null = null;
  let graceMs = 60 * 60 * 1000;
  const used = new Set<string>();

  async function findRows(): Promise<ApiKeyRow[]> {
    return (await query().findMany({ select: ROW_FIELDS, orderBy: { createdAt: 'desc' } })) as ApiKeyRow[];
  }

  async function reloadOnce(): Promise<void> {
    const records: ApiKeyRecord[] = [];
    for (const row of await findRows()) {
      const candidate = record(row);
      try {
        assertApiKeyRecord(candidate, 'stored API key');
        records.push(candidate);
      } catch (error) {
        // A row written around Strapi: that key is refused, the others keep working.
        logger.error(`[personalize] ${(error as Error).message}; the key is refused`);
      }
    }
    keys.replace(records);
  }

  // Coalesced like the rules: a burst of announcements costs two reads, the last after the last write.
  let reloading: Promise<void> | null = null;
  let again = false;
  function reload(): Promise<void> {
    if (reloading) {
      again = true;
      return reloading;
    }
    reloading = (async () => {
      do {
        again = false;
        await reloadOnce();
      } while (again);
    })().finally(() => {
      reloading = null;
    });
    return reloading;
  }

  async function announce(): Promise<void> {
    await reload();
    await personalizer?.broadcast(TOPICS.apiKeys, { at: Date.now() });
  }

  async function flushLastUsed(): Promise<void> {
    if (used.size === 0) return;
    const ids = [...used];
    used.clear();
    await query().updateMany({ where: { keyId: { $in: ids } }, data: { lastUsedAt: new Date() } });
  }

  async function findRow(documentId: string): Promise<ApiKeyRow> {
    const row = (await query().findOne({ select: ROW_FIELDS, where: { documentId } })) as ApiKeyRow | null;
    if (!row) throw new errors.NotFoundError(`no API key ${documentId}`);
    return row;
  }

  /** What the server API verifies with: the in-memory set, noting which keys were used. */
  const verifier: ApiKeys = {
    verify(presented, scope): ApiKeyCheck {
      const check = keys.verify(presented, scope);
      if (check.ok) used.add(check.key.id);
      return check;
    },
  };

  return {
    /** Loads the keys and follows changes on every instance; returns the teardown. */
    async start(running: Personalizer, rotationGraceMs: number): Promise<() => Promise<void>> {
      personalizer = running;
      graceMs = rotationGraceMs;
      await reload();
      const reloadLogged = () =>
        reload().catch((error: unknown) =>
          logger.error(`[personalize] reloading API keys failed: ${String(error)}`),
        );
      const off = [running.onBroadcast(TOPICS.apiKeys, reloadLogged), running.onResubscribed(reloadLogged)];
      const timer = setInterval(() => {
        flushLastUsed().catch((error: unknown) =>
          logger.warn(`[personalize] recording API key use failed: ${String(error)}`),
        );
      }, LAST_USED_FLUSH_MS);
      timer.unref();
      return async () => {
        clearInterval(timer);
        for (const unsubscribe of off) unsubscribe();
        await flushLastUsed().catch(() => {});
        personalizer = null;
      };
    },

    verifier(): ApiKeys {
      return verifier;
    },

    reload,

    /** Writes when the keys used since the last flush were used (every minute, and at stop). */
    flushLastUsed,

    /** Tells every instance (this one first, awaited) to reload the keys. */
    announce,

    async list(): Promise<ApiKeyView[]> {
      return (await findRows()).map(view);
    },

    /** A new key: the stored view and the key itself, which is never shown again. */
    async create(body: unknown): Promise<ApiKeyView & { key: string }> {
      const { name, scopes } = creation(body);
      const minted = mintApiKey();
      const created = (await query().create({
        data: { keyId: minted.id, name, scopes, secretHash: minted.hash },
        select: ROW_FIELDS,
      })) as ApiKeyRow;
      await announce();
      return { ...view(created), key: minted.key };
    },

    /** A new secret for the same id and scopes; the previous one works for the grace period. */
    async rotate(documentId: string): Promise<ApiKeyView & { key: string }> {
      const row = await findRow(documentId);
      if (row.revokedAt) throw new errors.ValidationError('a revoked API key cannot be rotated');
      const minted = mintApiKey(row.keyId);
      const now = Date.now();
      const updated = (await query().update({
        where: { id: row.id },
        data: {
          secretHash: minted.hash,
          previousSecretHash: graceMs > 0 ? row.secretHash : null,
          previousValidUntil: graceMs > 0 ? new Date(now + graceMs) : null,
          rotatedAt: new Date(now),
        },
        select: ROW_FIELDS,
      })) as ApiKeyRow;
      await announce();
      return { ...view(updated), key: minted.key };
    },

    /** Refuses the key (and its previous secret) on every instance from now on. */
    async revoke(documentId: string): Promise<ApiKeyView> {
      const row = await findRow(documentId);
      const updated = row.revokedAt
        ? row
        : ((await query().update({
            where: { id: row.id },
            data: { revokedAt: new Date(), previousSecretHash: null, previousValidUntil: null },
            select: ROW_FIELDS,
          })) as ApiKeyRow);
      await announce();
      return view(updated);
    },
  };
};
