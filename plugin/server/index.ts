/**
 * The server half of the personalize plugin, in the shape Strapi 5 expects of `strapi-server`.
 *
 *   register    custom field `plugin::personalize.segments` + document guard (validation, change fan-out)
 *   bootstrap   admin permissions, personalizer, GraphQL endpoint on Strapi's HTTP server
 *   destroy     closes sockets, the endpoint and the personalizer
 *   config      validated options of `config/plugins` (config/schema.ts)
 *   contentTypes  plugin::personalize.segment, plugin::personalize.score
 *   controllers, routes  the admin API of the Segments page (type 'admin', RBAC-guarded)
 *   services    segments (rule set from the database), content-source, runtime
 */
import bootstrap from './bootstrap';
import config from './config';
import contentTypes from './content-types';
import controllers from './controllers';
import destroy from './destroy';
import register from './register';
import routes from './routes';
import services from './services';

export default {
  register,
  bootstrap,
  destroy,
  config,
  contentTypes,
  controllers,
  routes,
  services,
  policies: {},
  middlewares: {},
};
