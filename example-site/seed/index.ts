/**
 * `seedDemo(strapi)`: fills a fresh demo CMS with the segments, content and admin account of the
 * demo, and does nothing the second time. Called from the demo CMS's `bootstrap()`.
 *
 * Idempotent by natural keys, not by a "seeded" flag: each entry is looked up by its slug (segment
 * key, placement and title for banners) and created only when missing, so a partly seeded database
 * (a crash half way, an editor who deleted one banner) is completed rather than duplicated, and an
 * editor's changes to existing entries are never overwritten.
 */
import { DEMO_ADMIN, DEMO_ARTICLES, DEMO_BANNERS, DEMO_HOME_PAGE, DEMO_PRODUCTS } from './content';
import { DEMO_SCORES, DEMO_SEGMENTS } from './segments';
import type { DocumentService, SeedableStrapi } from './strapi-types';

export { DEMO_ADMIN, DEMO_ARTICLES, DEMO_BANNERS, DEMO_HOME_PAGE, DEMO_PRODUCTS } from './content';
export type { DemoArticle, DemoBanner, DemoBlock, DemoHomePage, DemoProduct, Theme } from './content';
export {
  DEMO_RULE_SET,
  DEMO_SCORES,
  DEMO_SEGMENTS,
  demoRuleSet,
  demoSegments,
  type DemoWindows,
} from './segments';
export type { SeedableStrapi } from './strapi-types';

/** Content type uids the seed writes. */
export const DEMO_UIDS = {
  article: 'api::article.article',
  product: 'api::product.product',
  banner: 'api::banner.banner',
  homePage: 'api::home-page.home-page',
  segment: 'plugin::personalize.segment',
  score: 'plugin::personalize.score',
} as const;

/** What one seeding run did, for the start-up log and for tests. */
export interface SeedReport {
  created: Record<string, number>;
  adminCreated: boolean;
}

/**
 * Seeds the demo. Safe to call on every start.
 *
 * @throws Error naming the missing content types when the demo model is not installed (seeding
 *   half a model would leave a demo that silently shows nothing).
 */
export async function seedDemo(strapi: SeedableStrapi): Promise<SeedReport> {
  const missing = [DEMO_UIDS.article, DEMO_UIDS.product, DEMO_UIDS.banner, DEMO_UIDS.homePage].filter(
    (uid) => !(uid in strapi.contentTypes),
  );
  if (missing.length > 0)
    throw new Error(
      `seedDemo: content types missing from the CMS: ${missing.join(', ')} (see example-site/cms/src/api)`,
    );

  const created: Record<string, number> = {};
  const count = (uid: string, made: boolean): void => {
    if (made) created[uid] = (created[uid] ?? 0) + 1;
  };

  if (DEMO_UIDS.score in strapi.contentTypes) {
    for (const score of DEMO_SCORES)
      count(
        DEMO_UIDS.score,
        await ensure(
          strapi.documents(DEMO_UIDS.score),
          { key: score.key },
          score as unknown as Record<string, unknown>,
        ),
      );
  }
  if (DEMO_UIDS.segment in strapi.contentTypes) {
    for (const segment of DEMO_SEGMENTS)
      count(
        DEMO_UIDS.segment,
        await ensure(strapi.documents(DEMO_UIDS.segment), { key: segment.key }, { ...segment }),
      );
  } else {
    strapi.log.warn(
      `seedDemo: ${DEMO_UIDS.segment} is not registered (is the personalize plugin enabled?); demo segments not seeded`,
    );
  }
  for (const article of DEMO_ARTICLES)
    count(
      DEMO_UIDS.article,
      await ensure(strapi.documents(DEMO_UIDS.article), { slug: article.slug }, { ...article }),
    );
  for (const product of DEMO_PRODUCTS)
    count(
      DEMO_UIDS.product,
      await ensure(strapi.documents(DEMO_UIDS.product), { slug: product.slug }, { ...product }),
    );
  for (const banner of DEMO_BANNERS) {
    count(
      DEMO_UIDS.banner,
      await ensure(
        strapi.documents(DEMO_UIDS.banner),
        { placement: banner.placement, title: banner.title },
        { ...banner },
      ),
    );
  }
  // A single type: there is one home page or none; an existing one is the editor's and stays as it is.
  count(
    DEMO_UIDS.homePage,
    await ensure(
      strapi.documents(DEMO_UIDS.homePage),
      {},
      { ...DEMO_HOME_PAGE, blocks: DEMO_HOME_PAGE.blocks.map((block) => ({ ...block })) },
    ),
  );

  const adminCreated = await ensureAdmin(strapi);
  const total = Object.values(created).reduce((sum, n) => sum + n, 0);
  strapi.log.info(
    total === 0
      ? 'seedDemo: demo content already present'
      : `seedDemo: created ${Object.entries(created)
          .map(([uid, n]) => `${n} ${uid}`)
          .join(', ')}`,
  );
  return { created, adminCreated };
}

/** Creates and publishes `data` unless a document matching `filters` exists (as draft or published). */
async function ensure(
  documents: DocumentService,
  filters: Record<string, unknown>,
  data: Record<string, unknown>,
): Promise<boolean> {
  const existing = await documents.findFirst({ filters, status: 'draft' });
  if (existing) return false;
  await documents.create({ data, status: 'published' });
  return true;
}

interface AdminUserService {
  exists(attributes?: Record<string, unknown>): Promise<boolean>;
  create(attributes: Record<string, unknown>): Promise<unknown>;
}
interface AdminRoleService {
  getSuperAdmin(): Promise<{ id: number | string } | null>;
}

/** Creates the demo super admin unless an account with its e-mail exists. */
async function ensureAdmin(strapi: SeedableStrapi): Promise<boolean> {
  const users = strapi.service('admin::user') as AdminUserService | undefined;
  const roles = strapi.service('admin::role') as AdminRoleService | undefined;
  if (!users || !roles) {
    strapi.log.warn('seedDemo: admin services unavailable; demo admin not created');
    return false;
  }
  if (await users.exists({ email: DEMO_ADMIN.email })) return false;
  const superAdmin = await roles.getSuperAdmin();
  if (!superAdmin)
    throw new Error(
      'seedDemo: the super admin role does not exist yet (call seedDemo from bootstrap, after the admin is registered)',
    );
  await users.create({ ...DEMO_ADMIN, registrationToken: null, isActive: true, roles: [superAdmin.id] });
  return true;
}
