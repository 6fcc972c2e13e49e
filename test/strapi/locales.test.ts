/**
 * Locales, with a localized content type that carries tags (added to a private copy of the example
 * CMS): the content source returns the published version of every locale, never a locale's newer
 * draft, and the GraphQL endpoint serves the locale asked for, the site's default otherwise.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { copyApp } from './support/app-copy';
import { bootStrapi, type BootedStrapi } from './support/strapi-app';

const NOTICE_SCHEMA = {
  kind: 'collectionType',
  collectionName: 'notices',
  info: { singularName: 'notice', pluralName: 'notices', displayName: 'Notice' },
  options: { draftAndPublish: true },
  pluginOptions: { i18n: { localized: true } },
  attributes: {
    slot: { type: 'string', pluginOptions: { i18n: { localized: false } } },
    title: { type: 'string', pluginOptions: { i18n: { localized: true } } },
    segments: {
      type: 'customField',
      customField: 'plugin::personalize.segments',
      pluginOptions: { i18n: { localized: true } },
    },
  },
};

describe('locales', () => {
  let app: BootedStrapi;
  const notices = () => app.strapi.documents('api::notice.notice' as never);

  beforeAll(async () => {
    const appDir = copyApp('strapi-locales-test', {
      'src/api/notice/content-types/notice/schema.json': NOTICE_SCHEMA,
    });
    app = await bootStrapi({
      redisUrl: inject('redisUrl'),
      keyPrefix: `test-strapi-locales-${process.pid}:`,
      appDir,
    });
    await app.strapi.plugin('i18n').service('locales').create({ code: 'fr', name: 'French (fr)' });
    const created = (await notices().create({
      data: { slot: 'top', title: 'Hello', segments: [] },
      status: 'published',
    } as never)) as { documentId: string };
    await notices().update({
      documentId: created.documentId,
      locale: 'fr',
      data: { slot: 'top', title: 'Bonjour', segments: [] },
      status: 'published',
    } as never);
    // A newer French draft: visitors must keep getting the published "Bonjour".
    await notices().update({
      documentId: created.documentId,
      locale: 'fr',
      data: { title: 'Brouillon' },
    } as never);
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('loads the published version of every locale', async () => {
    const documents = await app.strapi
      .plugin('personalize')
      .service('content-source')
      .loadDocuments('api::notice.notice');
    expect(
      documents
        .map((document: { locale: string; title: string }) => `${document.locale}:${document.title}`)
        .sort(),
    ).toEqual(['en:Hello', 'fr:Bonjour']);
  });

  it('serves the locale asked for, and the default locale otherwise', async () => {
    const query = async (source: string) => {
      const response = await fetch(`${app.baseUrl}/personalize/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: source }),
      });
      return (await response.json()) as {
        data?: Record<string, { title: string; locale: string } | null>;
        errors?: unknown;
      };
    };
    const french = await query('{ notice(slot: "top", locale: "fr") { title locale } }');
    expect(french).toEqual({ data: { notice: { title: 'Bonjour', locale: 'fr' } } });
    const byDefault = await query('{ notice(slot: "top") { title locale } }');
    expect(byDefault).toEqual({ data: { notice: { title: 'Hello', locale: 'en' } } });
  });
});
