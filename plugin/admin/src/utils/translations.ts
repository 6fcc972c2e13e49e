/**
 * The plugin's admin text lives in `translations/<locale>.json` (English is the default: every
 * message also carries its English `defaultMessage`). Ids are written unprefixed in the files and
 * prefixed with the plugin id in the admin, as Strapi's own plugins do.
 */
import { PLUGIN_ID } from '../pluginId';

/** The admin-wide id of one of the plugin's messages: `getTranslation('segments.title')`. */
export const getTranslation = (id: string): string => `${PLUGIN_ID}.${id}`;

/** A translations file with its ids prefixed, as `registerTrads` hands them to the admin. */
export function prefixPluginTranslations(messages: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(messages).map(([id, text]) => [getTranslation(id), text]));
}
