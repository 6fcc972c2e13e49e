/**
 * `seedDemo` inside the real demo CMS (example-site/cms with the plugin, SQLite in a temporary
 * directory): it creates the segments, content and admin account, published, and a second run
 * creates nothing and overwrites nothing.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  DEMO_ADMIN,
  DEMO_ARTICLES,
  DEMO_BANNERS,
  DEMO_PRODUCTS,
  DEMO_SEGMENTS,
  DEMO_UIDS,
  seedDemo,
  type SeedableStrapi,
} from '../../example-site/seed/index.js';
import { bootStrapi, type BootedStrapi } from '../strapi/support/strapi-app.js';

let app: BootedStrapi;
let strapi: BootedStrapi['strapi'];
/** The same Strapi, as the seed sees it (a structural slice of `Core.Strapi`). */
let seedable: SeedableStrapi;

beforeAll(async () => {
  app = await bootStrapi({ redisUrl: inject('redisUrl'), keyPrefix: `test-seed-${process.pid}:` });
  strapi = app.strapi;
  seedable = app.strapi as unknown as SeedableStrapi;
});

afterAll(async () => {
  await app?.stop();
});

const published = (uid: string): Promise<number> =>
  strapi.documents(uid as never).count({ status: 'published' } as never) as Promise<number>;

describe('seedDemo in the demo CMS', () => {
  it('creates every segment, score, entry and the admin, published', async () => {
    const report = await seedDemo(seedable);
    expect(report.created).toEqual({
      [DEMO_UIDS.score]: 1,
      [DEMO_UIDS.segment]: DEMO_SEGMENTS.length,
      [DEMO_UIDS.article]: DEMO_ARTICLES.length,
      [DEMO_UIDS.product]: DEMO_PRODUCTS.length,
      [DEMO_UIDS.banner]: DEMO_BANNERS.length,
      [DEMO_UIDS.homePage]: 1,
    });
    expect(report.adminCreated).toBe(true);
    expect(await published(DEMO_UIDS.banner)).toBe(DEMO_BANNERS.length);
    expect(await published(DEMO_UIDS.article)).toBe(DEMO_ARTICLES.length);
    const home = (await strapi
      .documents(DEMO_UIDS.homePage as never)
      .findFirst({ status: 'published', populate: { blocks: { populate: '*' } } } as never)) as {
      blocks: Array<{ __component: string; segments: string[] }>;
    } | null;
    expect(home?.blocks.some((block) => block.segments.includes('breaking-news'))).toBe(true);
    const breaking = (await strapi
      .documents(DEMO_UIDS.banner as never)
      .findFirst({ filters: { title: DEMO_BANNERS[1]!.title }, status: 'published' } as never)) as {
      segments: string[];
    } | null;
    expect(breaking?.segments).toEqual(['breaking-news']);
    const admin = (await (
      strapi.service('admin::user') as { findOneByEmail(email: string): Promise<unknown> }
    ).findOneByEmail(DEMO_ADMIN.email)) as {
      isActive: boolean;
    } | null;
    expect(admin?.isActive).toBe(true);
  });

  it('is idempotent: a second run creates nothing and keeps an editor’s change', async () => {
    const banners = strapi.documents(DEMO_UIDS.banner as never);
    const fallback = (await banners.findFirst({ filters: { title: DEMO_BANNERS[0]!.title } } as never)) as {
      documentId: string;
    };
    await banners.update({
      documentId: fallback.documentId,
      data: { body: 'Edited by an editor' },
      status: 'published',
    } as never);
    const report = await seedDemo(seedable);
    expect(report).toEqual({ created: {}, adminCreated: false });
    expect(await published(DEMO_UIDS.banner)).toBe(DEMO_BANNERS.length);
    const edited = (await banners.findOne({
      documentId: fallback.documentId,
      status: 'published',
    } as never)) as unknown as { body: string };
    expect(edited.body).toBe('Edited by an editor');
  });
});
