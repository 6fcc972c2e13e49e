/**
 * The plugin inside a real Strapi 5: it loads, registers its content types, custom field and admin
 * permissions, and validates its configuration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { bootStrapi, type BootedStrapi } from './support/strapi-app';

describe('the personalize plugin in Strapi', () => {
  let app: BootedStrapi;

  beforeAll(async () => {
    app = await bootStrapi({ redisUrl: inject('redisUrl'), keyPrefix: `test-strapi-boot-${process.pid}:` });
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('registers the segment and score content types and the segments custom field', () => {
    expect(app.strapi.contentType('plugin::personalize.segment')).toBeDefined();
    expect(app.strapi.contentType('plugin::personalize.score')).toBeDefined();
    expect(app.strapi.contentType('plugin::personalize.api-key')).toBeDefined();
    expect(app.strapi.get('custom-fields').get('plugin::personalize.segments')).toMatchObject({
      type: 'json',
    });
    const banner = app.strapi.contentType('api::banner.banner');
    expect(banner.attributes.segments).toMatchObject({
      type: 'json',
      customField: 'plugin::personalize.segments',
    });
  });

  it('registers its admin permissions', async () => {
    const actions = app.strapi.service('admin::permission').actionProvider;
    expect(actions.get('plugin::personalize.segments.read')).toBeDefined();
    expect(actions.get('plugin::personalize.segments.manage')).toBeDefined();
    expect(actions.get('plugin::personalize.api-keys.manage')).toBeDefined();
  });
});
