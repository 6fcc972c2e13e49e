/**
 * What editors write, as Strapi's document service receives it: tags naming unknown segments and
 * rules that do not compile are refused with clear messages; published content (never drafts)
 * reaches the content source, with components and dynamic zones populated; segment writes reach
 * the personalizer's rules. The admin API of the Segments page, with its permissions.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createPersonalizer } from '../../engine';
import { cutPubSubLinks, withConnectionName } from '../support/pubsub-links';
import { adminSession } from './support/admin';
import { bootStrapi, type BootedStrapi } from './support/strapi-app';

const NEWS_RULE = {
  count: { event: 'Article Viewed', where: { category: 'news' } },
  within: '10m',
  is: { $gt: 3 },
};

/** Names this test's Strapi connections to Redis. */
const CONNECTION_NAME = `strapi-content-${process.pid}`;

describe('segments and tags in Strapi', () => {
  let app: BootedStrapi;
  const documents = (uid: string) => app.strapi.documents(uid as never);
  const personalizer = () => app.strapi.plugin('personalize').service('runtime').personalizer();

  beforeAll(async () => {
    app = await bootStrapi({
      // Named, so that this instance's pub/sub link alone can be cut (other files share the Redis).
      redisUrl: withConnectionName(inject('redisUrl'), CONNECTION_NAME),
      keyPrefix: `test-strapi-content-${process.pid}:`,
    });
    await documents('plugin::personalize.segment').create({
      data: {
        key: 'breaking-news',
        name: 'Breaking news readers',
        priority: 70,
        enabled: true,
        rule: NEWS_RULE,
      },
    } as never);
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('reloads the rules on every segment write', async () => {
    await expect
      .poll(() => personalizer().rules.segments.map((segment: { key: string }) => segment.key))
      .toContain('breaking-news');
    const created = (await documents('plugin::personalize.segment').create({
      data: {
        key: 'news-fans',
        name: 'News fans',
        priority: 10,
        enabled: true,
        rule: { segment: 'breaking-news' },
      },
    } as never)) as { documentId: string };
    await expect.poll(() => personalizer().rules.segments.length).toBe(2);
    await documents('plugin::personalize.segment').update({
      documentId: created.documentId,
      data: { enabled: false },
    } as never);
    await expect
      .poll(
        () =>
          personalizer().rules.segments.find((segment: { key: string }) => segment.key === 'news-fans')
            ?.enabled,
      )
      .toBe(false);
  });

  it('reloads the rules when another instance announces a change', async () => {
    // Another instance: its own personalizer on the same Redis and key prefix. It changed a segment
    // in the shared database (written here around the guard) and announces it, as the guard does.
    const other = await createPersonalizer({
      rules: { segments: [] },
      redis: inject('redisUrl'),
      keyPrefix: `test-strapi-content-${process.pid}:`,
    });
    try {
      await app.strapi.db
        .query('plugin::personalize.segment')
        .update({ where: { key: 'breaking-news' }, data: { priority: 99 } });
      await other.broadcast('rules', { at: Date.now() });
      await expect
        .poll(
          () =>
            personalizer().rules.segments.find((segment: { key: string }) => segment.key === 'breaking-news')
              ?.priority,
        )
        .toBe(99);
    } finally {
      await other.close();
    }
  });

  it('reloads the rules when its pub/sub link comes back: an announcement may have been lost', async () => {
    // Changed in the shared database; the announcement that would follow never reaches this
    // instance (here: never sent), as when it is made while the instance's link is down.
    await app.strapi.db
      .query('plugin::personalize.segment')
      .update({ where: { key: 'breaking-news' }, data: { priority: 42 } });
    const control = new Redis(inject('redisUrl'));
    try {
      expect(await cutPubSubLinks(control, CONNECTION_NAME)).toBe(1);
    } finally {
      control.disconnect();
    }
    await expect
      .poll(
        () =>
          personalizer().rules.segments.find((segment: { key: string }) => segment.key === 'breaking-news')
            ?.priority,
        { timeout: 10_000 },
      )
      .toBe(42);
  });

  it('refuses a rule that does not compile, pointing at the failing part', async () => {
    const attempt = documents('plugin::personalize.segment').create({
      data: {
        key: 'broken',
        name: 'Broken',
        priority: 1,
        enabled: true,
        rule: { count: { event: 'page' }, within: '10 mn', is: { $gt: 1 } },
      },
    } as never);
    await expect(attempt).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('rule.within'),
      details: {
        errors: [expect.objectContaining({ path: ['rule'], message: expect.stringContaining('10 mn') })],
      },
    });
    const stored = await documents('plugin::personalize.segment').findFirst({
      filters: { key: 'broken' },
    } as never);
    expect(stored).toBeNull();
  });

  it('refuses deleting a segment another rule refers to', async () => {
    const target = (await documents('plugin::personalize.segment').findFirst({
      filters: { key: 'breaking-news' },
    } as never)) as {
      documentId: string;
    };
    await expect(
      documents('plugin::personalize.segment').delete({ documentId: target.documentId } as never),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('news-fans'),
    });
  });

  it('refuses tags naming unknown segments, at any depth', async () => {
    await expect(
      documents('api::banner.banner').create({
        data: { placement: 'home', title: 'Hi', segments: ['breaking-news', 'nobody'] },
      } as never),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('"nobody"'),
      details: { errors: [expect.objectContaining({ path: ['segments'] })] },
    });
    await expect(
      documents('api::home-page.home-page').create({
        data: { title: 'Home', blocks: [{ __component: 'blocks.hero', title: 'Hero', segments: ['ghost'] }] },
      } as never),
    ).rejects.toMatchObject({
      details: { errors: [expect.objectContaining({ path: ['blocks', '0', 'segments'] })] },
    });
    await expect(
      documents('api::banner.banner').create({
        data: { placement: 'home', title: 'Hi', segments: 'breaking-news' },
      } as never),
    ).rejects.toMatchObject({ message: expect.stringContaining('must be a list of segment keys') });
    const original = (await documents('api::banner.banner').create({
      data: { placement: 'footer', title: 'Original' },
    } as never)) as { documentId: string };
    await expect(
      documents('api::banner.banner').clone({
        documentId: original.documentId,
        data: { segments: ['ghost'] },
      } as never),
    ).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining('"ghost"') });
  });

  it('serves published documents only, every locale, with dynamic zones populated', async () => {
    const source = app.strapi.plugin('personalize').service('content-source');
    const draft = (await documents('api::banner.banner').create({
      data: { placement: 'home', title: 'Draft only', segments: ['breaking-news'] },
    } as never)) as { documentId: string };
    const published = (await documents('api::banner.banner').create({
      data: { placement: 'home', title: 'News banner', segments: ['breaking-news'] },
      status: 'published',
    } as never)) as { documentId: string };
    await documents('api::home-page.home-page').create({
      data: {
        title: 'Home',
        blocks: [{ __component: 'blocks.hero', title: 'For news readers', segments: ['breaking-news'] }],
      },
      status: 'published',
    } as never);

    const banners = await source.loadDocuments('api::banner.banner');
    expect(banners.map((banner: { title: string }) => banner.title)).toEqual(['News banner']);
    expect(banners[0]).toMatchObject({ documentId: published.documentId, segments: ['breaking-news'] });
    expect(banners.some((banner: { documentId: string }) => banner.documentId === draft.documentId)).toBe(
      false,
    );

    const [home] = await source.loadDocuments('api::home-page.home-page');
    expect(home.blocks).toEqual([
      expect.objectContaining({
        __component: 'blocks.hero',
        title: 'For news readers',
        segments: ['breaking-news'],
      }),
    ]);

    const model = await source.loadModel();
    expect(model.contentTypes.map((type: { uid: string }) => type.uid).sort()).toEqual([
      'api::article.article',
      'api::banner.banner',
      'api::home-page.home-page',
      'api::product.product',
    ]);
  });

  it('refuses re-keying or deleting a segment that content is tagged with', async () => {
    const segment = (await documents('plugin::personalize.segment').findFirst({
      filters: { key: 'breaking-news' },
    } as never)) as { documentId: string };
    const attempt = documents('plugin::personalize.segment').update({
      documentId: segment.documentId,
      data: { key: 'breaking' },
    } as never);
    await expect(attempt).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(
        /Segment "breaking-news" is still used by content \((Banner|Home page) /,
      ),
      details: { errors: [expect.objectContaining({ path: ['key'] })] },
    });
    const unchanged = await documents('plugin::personalize.segment').findFirst({
      filters: { key: 'breaking-news' },
    } as never);
    expect(unchanged).not.toBeNull();
  });

  it('announces publishing to the content source listeners', async () => {
    const source = app.strapi.plugin('personalize').service('content-source');
    const changes: unknown[] = [];
    const stop = source.onChange((change: unknown) => changes.push(change));
    try {
      const created = (await documents('api::banner.banner').create({
        data: { placement: 'side', title: 'Later' },
      } as never)) as {
        documentId: string;
      };
      await documents('api::banner.banner').publish({ documentId: created.documentId } as never);
      await expect
        .poll(() => changes)
        .toContainEqual({ kind: 'documents', uid: 'api::banner.banner', documentIds: [created.documentId] });
    } finally {
      stop();
    }
  });

  describe('admin API', () => {
    it('lets an author list segment options for tagging, but not read or change rules', async () => {
      const author = await adminSession(app.strapi, app.baseUrl, 'strapi-author');
      const get = (path: string) =>
        fetch(`${app.baseUrl}${path}`, { headers: { authorization: `Bearer ${author.token}` } });
      const options = await get('/personalize/segment-options');
      expect(options.status).toBe(200);
      expect(
        ((await options.json()) as { data: Array<{ key: string }> }).data.map((option) => option.key),
      ).toContain('breaking-news');
      expect((await get('/personalize/segments')).status).toBe(403);
      const write = await fetch(`${app.baseUrl}/personalize/segments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${author.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          data: { key: 'x', name: 'X', priority: 1, enabled: true, rule: { segment: 'breaking-news' } },
        }),
      });
      expect(write.status).toBe(403);
    });

    it('lets a super admin save segments, refusing bad rules with the compiler message, and try a rule', async () => {
      const admin = await adminSession(app.strapi, app.baseUrl, 'strapi-super-admin');
      const post = (path: string, body: unknown) =>
        fetch(`${app.baseUrl}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const refused = await post('/personalize/segments', {
        data: {
          key: 'bad',
          name: 'Bad',
          priority: 1,
          enabled: true,
          rule: { count: 'page', within: '5m', is: { $gt: 'many' } },
        },
      });
      expect(refused.status).toBe(400);
      const error = (
        (await refused.json()) as {
          error: { message: string; details: { errors: Array<{ path: string[] }> } };
        }
      ).error;
      expect(error.message).toContain('rule.is');
      expect(error.details.errors[0]?.path).toEqual(['rule']);

      const badScore = await post('/personalize/scores', {
        data: {
          key: 'reading',
          name: 'Reading',
          within: 'a while',
          points: [{ event: 'Article Viewed', add: 2 }],
        },
      });
      expect(badScore.status).toBe(400);
      expect(((await badScore.json()) as { error: { message: string } }).error.message).toContain(
        'scores[reading].within',
      );
      const score = await post('/personalize/scores', {
        data: {
          key: 'reading',
          name: 'Reading',
          within: '7d',
          points: [{ event: 'Article Viewed', add: 2 }],
        },
      });
      expect(score.status).toBe(201);
      const avid = await post('/personalize/segments', {
        data: {
          key: 'avid',
          name: 'Avid readers',
          priority: 3,
          enabled: true,
          rule: { score: 'reading', is: { $gte: 10 } },
        },
      });
      expect(avid.status).toBe(201);

      const saved = await post('/personalize/segments', {
        data: {
          key: 'page-lovers',
          name: 'Page lovers',
          priority: 5,
          enabled: true,
          rule: { count: 'page', within: '5m', is: { $gte: 2 } },
        },
      });
      expect(saved.status).toBe(201);

      // The Segments page lists each segment with its live member count.
      await expect
        .poll(() =>
          personalizer().rules.segments.some((segment: { key: string }) => segment.key === 'page-lovers'),
        )
        .toBe(true);
      const at = Date.now();
      await personalizer().track(
        `anon-${randomUUID()}`,
        [1, 0].map((ago) => ({
          id: randomUUID(),
          type: 'page',
          timestamp: at - ago,
          properties: {},
          context: {},
        })),
      );
      const listed = await fetch(`${app.baseUrl}/personalize/segments`, {
        headers: { authorization: `Bearer ${admin.token}` },
      });
      expect(listed.status).toBe(200);
      const segmentRows = ((await listed.json()) as { data: Array<{ key: string; members: number | null }> })
        .data;
      expect(Object.fromEntries(segmentRows.map((row) => [row.key, row.members]))).toMatchObject({
        'page-lovers': 1,
        'breaking-news': 0,
        avid: 0,
      });

      const tried = await post('/personalize/simulate', {
        segment: {
          key: 'page-lovers',
          name: 'Page lovers',
          rule: { count: 'page', within: '5m', is: { $gte: 2 } },
        },
        steps: [{ event: { type: 'page' } }, { after: '1m', event: { type: 'page' } }, { after: '10m' }],
      });
      expect(tried.status).toBe(200);
      const rows = (
        (await tried.json()) as {
          data: Array<{ member: boolean; label: string; nextChangeAt: number | null; at: number }>;
        }
      ).data;
      expect(rows.map((row) => row.member)).toEqual([false, true, false, false]);
      // Membership lapses when the first page view leaves the 5-minute window.
      expect(rows[1]!.nextChangeAt! - rows[0]!.at).toBe(5 * 60_000);
      expect(rows[2]!.label).toContain('time passes');

      const home = (await documents('api::home-page.home-page').findFirst({
        status: 'published',
      } as never)) as { documentId: string };
      const preview = await fetch(
        `${app.baseUrl}/personalize/preview/api::home-page.home-page/${home.documentId}`,
        {
          headers: { authorization: `Bearer ${admin.token}` },
        },
      );
      expect(preview.status, await preview.clone().text()).toBe(200);
      const audiences = (
        (await preview.json()) as {
          data: {
            audiences: Array<{ segment: string | null; blocks: Record<string, Array<{ label: string }>> }>;
          };
        }
      ).data.audiences;
      const blocksFor = (segment: string | null) =>
        audiences
          .find((audience) => audience.segment === segment)
          ?.blocks.blocks?.map((block) => block.label);
      expect(blocksFor('breaking-news')).toEqual(['For news readers']);
      expect(blocksFor(null)).toEqual([]);
      expect(rows[2]!.at - rows[0]!.at).toBe(5 * 60_000);
    });
  });
});
