/**
 * The seed as JSON fixtures for the standalone GraphQL server (`server/standalone.ts`, `CONTENT_DIR`):
 * the content model in Strapi's runtime schema format plus every published document, so the demo and
 * the browser tests run the same content without a CMS.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type {
  AttributeSchema,
  ComponentSchema,
  ContentDocument,
  ContentModel,
  ContentTypeSchema,
} from '../../content/types';
import { DEMO_ARTICLES, DEMO_BANNERS, DEMO_HOME_PAGE, DEMO_PRODUCTS } from './content';
import { demoRuleSet, type DemoWindows } from './segments';

/** The demo CMS's sources: the model the fixtures describe is exactly the one the CMS runs. */
// dirname(__filename), not __dirname: tsx loading this CommonJS file from an ES module defines the
// former correctly and not the latter.
export const CMS_SRC = join(dirname(__filename), '..', 'cms', 'src');

/** Reads a `schema.json` and turns custom fields into their runtime shape (`type` = the underlying type). */
function readSchema(
  cmsSrc: string,
  path: string,
): { attributes: Record<string, AttributeSchema> } & Record<string, unknown> {
  const schema = JSON.parse(readFileSync(join(cmsSrc, path), 'utf8')) as {
    attributes: Record<string, AttributeSchema>;
  } & Record<string, unknown>;
  for (const attribute of Object.values(schema.attributes)) {
    // Strapi registers the segments field with type `json`; at run time the attribute reads that way.
    if (attribute.type === 'customField') attribute.type = 'json';
  }
  return schema;
}

/** The demo model: four content types and three block components, read from `cmsSrc` (the CMS's `src`). */
export function demoModel(cmsSrc: string = CMS_SRC): ContentModel {
  const contentTypes: ContentTypeSchema[] = ['article', 'product', 'banner', 'home-page'].map((name) => ({
    ...(readSchema(cmsSrc, `api/${name}/content-types/${name}/schema.json`) as unknown as Omit<
      ContentTypeSchema,
      'uid'
    >),
    uid: `api::${name}.${name}`,
  }));
  const components: ComponentSchema[] = ['hero', 'promo', 'article-list'].map((name) => ({
    ...(readSchema(cmsSrc, `components/blocks/${name}.json`) as unknown as Omit<
      ComponentSchema,
      'uid' | 'category'
    >),
    uid: `blocks.${name}`,
    category: 'blocks',
  }));
  return { contentTypes, components };
}

/** The seed's documents by content type uid, as Strapi's document service would return them published. */
export function demoDocuments(publishedAt = '2026-01-01T00:00:00.000Z'): Record<string, ContentDocument[]> {
  const stamp = (prefix: string, index: number, data: object): ContentDocument => ({
    documentId: `${prefix}-${index + 1}`,
    locale: 'en',
    publishedAt,
    updatedAt: publishedAt,
    ...data,
  });
  return {
    'api::article.article': DEMO_ARTICLES.map((article, index) => stamp('article', index, article)),
    'api::product.product': DEMO_PRODUCTS.map((product, index) => stamp('product', index, product)),
    'api::banner.banner': DEMO_BANNERS.map((banner, index) => stamp('banner', index, banner)),
    'api::home-page.home-page': [
      stamp('home-page', 0, {
        ...DEMO_HOME_PAGE,
        blocks: DEMO_HOME_PAGE.blocks.map((block, index) => ({ id: index + 1, ...block })),
      }),
    ],
  };
}

/** Writes `model.json`, `documents.json` and `rules.json` into `dir`. */
export function writeFixtures(dir: string, windows: DemoWindows = {}): void {
  writeFileSync(join(dir, 'model.json'), JSON.stringify(demoModel(), null, 2));
  writeFileSync(join(dir, 'documents.json'), JSON.stringify(demoDocuments(), null, 2));
  writeFileSync(join(dir, 'rules.json'), JSON.stringify(demoRuleSet(windows), null, 2));
}
