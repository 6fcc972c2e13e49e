/**
 * The plugin's `config` export as Strapi expects it: defaults (merged under the app's own
 * `config/plugins` values) and a validator that Strapi runs at boot.
 */
import { parsePluginConfig } from './schema';

export default {
  /** Defaults of the options Strapi merges the app's values into; the rest default in the schema. */
  default: {
    keyPrefix: 'personalize:',
    path: '/personalize/graphql',
  },
  /** Throws a readable error naming each bad option; Strapi prefixes it with the plugin name. */
  validator(config: unknown): void {
    parsePluginConfig(config);
  },
};
