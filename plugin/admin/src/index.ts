/**
 * The admin half of the personalize plugin:
 *
 * - the `segments` custom field (Content-Type Builder → Custom → Segments) with its multi-select input;
 * - the Segments page in the main menu (list, visual rule builder, JSON mode, "try it"), shown to
 *   admins holding `plugin::personalize.segments.read`;
 * - "Preview as segment", a side panel of the Content Manager's edit view;
 * - Settings → Personalize → API keys (the server API's keys), shown to admins holding
 *   `plugin::personalize.api-keys.manage`.
 *
 * Its text is translated (translations/<locale>.json, English by default), loaded by `registerTrads`.
 */
import { User } from '@strapi/icons';
import type { StrapiApp } from '@strapi/strapi/admin';
import type { ComponentType } from 'react';
import { PreviewPanel } from './components/PreviewPanel';
import { PLUGIN_ID } from './pluginId';
import { getTranslation, prefixPluginTranslations } from './utils/translations';

export default {
  register(app: StrapiApp) {
    app.customFields.register({
      name: 'segments',
      pluginId: PLUGIN_ID,
      type: 'json',
      intlLabel: { id: getTranslation('segments.label'), defaultMessage: 'Segments' },
      intlDescription: {
        id: getTranslation('segments.description'),
        defaultMessage: 'Audiences that see this entry or block; empty = everyone',
      },
      icon: User,
      components: {
        // Strapi types the input as taking no props; it is rendered with the field's (name, label…).
        Input: async () =>
          (await import('./components/SegmentsInput')) as unknown as { default: ComponentType },
      },
    });

    app.addMenuLink({
      to: `plugins/${PLUGIN_ID}`,
      icon: User,
      intlLabel: { id: getTranslation('menu'), defaultMessage: 'Segments' },
      permissions: [{ action: 'plugin::personalize.segments.read', subject: null }],
      Component: () => import('./pages/App'),
    });

    app.createSettingSection(
      { id: PLUGIN_ID, intlLabel: { id: getTranslation('settings'), defaultMessage: 'Personalize' } },
      [
        {
          id: 'api-keys',
          to: `${PLUGIN_ID}/api-keys`,
          intlLabel: { id: getTranslation('settings.api-keys'), defaultMessage: 'API keys' },
          permissions: [{ action: 'plugin::personalize.api-keys.manage', subject: null }],
          Component: () => import('./pages/ApiKeysPage'),
        },
      ],
    );

    app.registerPlugin({ id: PLUGIN_ID, name: 'Personalize' });
  },

  bootstrap(app: StrapiApp) {
    const contentManager = app.getPlugin('content-manager') as unknown as {
      apis: { addEditViewSidePanel(panels: unknown[]): void };
    };
    contentManager.apis.addEditViewSidePanel([PreviewPanel]);
  },

  /** The admin's locales the plugin has text for; any other falls back to the English defaults. */
  async registerTrads({ locales }: { locales: string[] }) {
    return Promise.all(
      locales.map(async (locale) => {
        try {
          const { default: messages } = (await import(`./translations/${locale}.json`)) as {
            default: Record<string, string>;
          };
          return { data: prefixPluginTranslations(messages), locale };
        } catch {
          return { data: {}, locale };
        }
      }),
    );
  },
};
