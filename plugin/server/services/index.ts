/** The plugin's services, by the names `strapi.plugin('personalize').service(name)` knows them. */
import apiKeys from './api-keys';
import contentSource from './content-source';
import runtime from './runtime';
import segments from './segments';

export default {
  segments,
  'content-source': contentSource,
  runtime,
  'api-keys': apiKeys,
};
