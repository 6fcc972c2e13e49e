/**
 * The typed content schema over fixtures of real Strapi content-type schemas: types and fields per
 * attribute kind, what is left out, filters, locales, variants, and blocks filtered per segment.
 * Runs the real server (embedded store), through its HTTP entry point.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getNamedType, type GraphQLObjectType, printType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planModel } from '../../content/model';
import type { ContentModel } from '../../content/types';
import { assertionFor, TestServer } from '../graphql/support/harness';

let t: TestServer;
let vip: string;

beforeAll(async () => {
  t = await TestServer.start();
  const userId = `u-${randomUUID()}`;
  const identified = await t.gql(
    'mutation($a: String!) { identify(assertion: $a) { session { token } profile { segments { key } } } }',
    { a: await assertionFor(userId, { traits: { plan: 'gold' } }) },
    (await t.session()).token,
  );
  const { session, profile } = (
    identified.data as { identify: { session: { token: string }; profile: unknown } }
  ).identify;
  expect(profile).toEqual({ segments: [{ key: 'vip' }] });
  vip = session.token;
});
afterAll(() => t.close());

const fieldsOf = (name: string) =>
  Object.keys((t.server.schema.getType(name) as GraphQLObjectType).getFields());

describe('schema from Strapi content types', () => {
  it('exposes personalizable types only, with one field per served attribute', () => {
    const query = Object.keys(t.server.schema.getQueryType()!.getFields());
    expect(query).toEqual(
      expect.arrayContaining(['me', 'segments', 'banners', 'banner', 'articles', 'article', 'homePage']),
    );
    // No segment tags anywhere in it: not personalizable, no query field.
    expect(query).not.toContain('aboutPage');
    expect(query).not.toContain('authors');
    expect(fieldsOf('Article')).toEqual([
      'documentId',
      'locale',
      'publishedAt',
      'updatedAt',
      'title',
      'slug',
      'category',
      'summary',
      'content',
      'readingMinutes',
      'views',
      'featured',
      'publishedOn',
      'embargoUntil',
      'teaserTime',
      'contact',
      'cover',
      'gallery',
      'author',
      'related',
      'seo',
      'personalization',
    ]);
  });

  it('maps every attribute kind to its GraphQL type', () => {
    const article = t.server.schema.getType('Article') as GraphQLObjectType;
    const type = (field: string) => String(article.getFields()[field]!.type);
    expect({
      slug: type('slug'),
      category: type('category'),
      content: type('content'),
      readingMinutes: type('readingMinutes'),
      views: type('views'),
      featured: type('featured'),
      embargoUntil: type('embargoUntil'),
      cover: type('cover'),
      gallery: type('gallery'),
      author: type('author'),
      related: type('related'),
      seo: type('seo'),
    }).toEqual({
      slug: 'String',
      category: 'ENUM_ARTICLE_CATEGORY',
      content: 'JSON',
      readingMinutes: 'Float',
      views: 'String',
      featured: 'Boolean',
      embargoUntil: 'DateTime',
      cover: 'UploadFile',
      gallery: '[UploadFile!]!',
      author: 'Author',
      related: '[Article!]!',
      seo: 'ComponentSharedSeo',
    });
    expect(printType(t.server.schema.getType('HomePageBlocksDynamicZone')!)).toBe(
      'union HomePageBlocksDynamicZone = ComponentBlocksHero | ComponentBlocksPromo | ComponentBlocksArticleList',
    );
    expect(
      String(getNamedType((t.server.schema.getType('HomePage') as GraphQLObjectType).getFields().faqs!.type)),
    ).toBe('ComponentBlocksFaq');
  });

  it('never serves private attributes, passwords, or relations to users and admins', () => {
    expect(fieldsOf('Banner')).not.toContain('internalNote');
    expect(fieldsOf('Author')).not.toContain('passwordHash');
    expect(fieldsOf('Article')).not.toContain('editor');
    // An enumeration whose values are not GraphQL names is served as text.
    expect(String((t.server.schema.getType('Banner') as GraphQLObjectType).getFields().theme!.type)).toBe(
      'String',
    );
  });

  it('keeps content off names the static schema uses', () => {
    const plan = planModel(
      {
        contentTypes: [
          {
            uid: 'api::segment.segment',
            kind: 'collectionType',
            info: { singularName: 'segment', pluralName: 'segments', displayName: 'Segment' },
            attributes: { segments: { type: 'json', customField: 'plugin::personalize.segments' } },
          },
          {
            uid: 'api::profile.profile',
            kind: 'singleType',
            info: { singularName: 'profile', pluralName: 'profiles', displayName: 'Profile' },
            attributes: { segments: { type: 'json', customField: 'plugin::personalize.segments' } },
          },
        ],
        components: [],
      },
      { typeNames: new Set(['Segment', 'Profile']), queryFields: new Set(['me', 'segments']) },
    );
    expect(plan.roots.map((root) => [root.uid, root.typeName])).toEqual([
      ['api::profile.profile', 'ProfileContent'],
    ]);
    expect(plan.warnings.join('\n')).toMatch(
      /api::segment\.segment: not served \(query field "segments" is taken/,
    );
  });
});

describe('personalized content', () => {
  const HOME = `{
    banner(placement: home) { title image { url width formats } personalization { segment tags fallback } }
    homePage {
      title
      blocks {
        __typename
        ... on ComponentBlocksHero { title personalization { segment fallback } }
        ... on ComponentBlocksPromo { title price personalization { segment } }
        ... on ComponentBlocksArticleList { title articles { slug } }
      }
      faqs { question }
      seo { metaTitle }
    }
  }`;

  it('serves fallbacks to a caller without token, and filters blocks, repeatable components and relations', async () => {
    const result = await t.gql(HOME, {}, null);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      banner: {
        title: 'Welcome to the store',
        image: {
          url: '/uploads/banner-1.jpg',
          width: 1200,
          formats: expect.objectContaining({ thumbnail: expect.any(Object) }),
        },
        personalization: { segment: null, tags: [], fallback: true },
      },
      homePage: {
        title: 'Home',
        blocks: [
          {
            __typename: 'ComponentBlocksHero',
            title: 'Home: picks for everyone',
            personalization: { segment: null, fallback: true },
          },
          { __typename: 'ComponentBlocksArticleList', title: 'Latest news', articles: [{ slug: 'storm' }] },
        ],
        faqs: [{ question: 'How do deliveries work?' }],
        seo: { metaTitle: 'Home' },
      },
    });
  });

  it('serves the VIP the VIP variant, VIP blocks in the editor order, and names the segment that chose them', async () => {
    const result = await t.gql(HOME, {}, vip);
    expect(result.errors).toBeUndefined();
    const data = result.data as { banner: unknown; homePage: { blocks: unknown[]; faqs: unknown[] } };
    expect(data.banner).toMatchObject({
      title: 'VIP: your lounge is open',
      personalization: { segment: 'vip', tags: ['vip'], fallback: false },
    });
    expect(data.homePage.blocks).toEqual([
      {
        __typename: 'ComponentBlocksHero',
        title: 'Home: picks for everyone',
        personalization: { segment: null, fallback: true },
      },
      {
        __typename: 'ComponentBlocksArticleList',
        title: 'Latest news',
        articles: [{ slug: 'storm' }, { slug: 'vip-briefing' }],
      },
      {
        __typename: 'ComponentBlocksPromo',
        title: 'VIP lounge',
        price: 0,
        personalization: { segment: 'vip' },
      },
    ]);
    expect(data.homePage.faqs).toEqual([
      { question: 'How do deliveries work?' },
      { question: 'Where is my VIP discount?' },
    ]);
  });

  it('honours the locale argument', async () => {
    const result = await t.gql(
      '{ banner(placement: home, locale: "fr") { title locale } homePage(locale: "fr") { title } }',
      {},
      vip,
    );
    expect(result.data).toEqual({
      banner: { title: 'VIP : votre salon est ouvert', locale: 'fr' },
      homePage: { title: 'Accueil' },
    });
    const unknown = await t.gql('{ banner(placement: home, locale: "de") { title } }', {}, vip);
    expect(unknown.data).toEqual({ banner: null });
  });

  it('filters lists, puts matches first, and never returns drafts', async () => {
    const all = await t.gql('{ banners(limit: 50) { title } }', {}, vip);
    const titles = (all.data!.banners as Array<{ title: string }>).map((banner) => banner.title);
    expect(titles).toEqual(['VIP: your lounge is open', 'Welcome to the store', 'Checkout help']);
    expect(titles).not.toContain('Draft banner must never show');
    const filtered = await t.gql(
      '{ articles(filters: { category: { in: ["news", "sport"] }, title: { containsi: "STORM" } }) { slug readingMinutes views } news: articles(filters: { readingMinutes: { gte: 4, lt: 5 } }, limit: 2) { slug } }',
      {},
      null,
    );
    expect(filtered.data).toEqual({
      articles: [{ slug: 'storm', readingMinutes: 4.5, views: '9007199254740993' }],
      news: [{ slug: 'storm' }, { slug: 'cup-final' }],
    });
    const drafts = await t.gql('{ articles(filters: { slug: { eq: "draft" } }) { slug } }', {}, vip);
    expect(drafts.data).toEqual({ articles: [] });
  });

  it('refuses list windows out of bounds with a clear error', async () => {
    const result = await t.gql('{ articles(limit: 1001) { slug } }', {}, null);
    expect(result.errors?.[0]).toMatchObject({
      message: 'limit must be between 0 and 1000',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});

describe('model changes', () => {
  it('rebuilds the schema when content types change (refreshContent model)', async () => {
    const query = '{ banner(placement: home) { title subtitle } }';
    expect((await t.gql(query)).errors?.[0]?.message).toMatch(/Cannot query field "subtitle"/);
    const modelFile = join(t.contentDir, 'model.json');
    const model = JSON.parse(readFileSync(modelFile, 'utf8')) as ContentModel;
    model.contentTypes.find((type) => type.uid === 'api::banner.banner')!.attributes.subtitle = {
      type: 'string',
    };
    writeFileSync(modelFile, JSON.stringify(model));
    t.editDocuments('api::banner.banner', (documents) =>
      documents.map((doc) => ({ ...doc, subtitle: `Sub of ${String(doc.title)}` })),
    );
    await t.server.refreshContent({ kind: 'model' });
    expect((await t.gql(query)).data).toEqual({
      banner: { title: 'Welcome to the store', subtitle: 'Sub of Welcome to the store' },
    });
  });

  it('refuses a malformed change notice', async () => {
    await expect(t.server.refreshContent({ kind: 'nonsense' } as never)).rejects.toThrow(
      /refreshContent expects/,
    );
  });
});
