/**
 * destroy(): closes what bootstrap opened, last first: the WebSocket listener and open sockets, the
 * GraphQL layer, then the personalizer (its Redis connections and due-set poller).
 */
import type { Core } from '@strapi/strapi';
import type runtimeService from './services/runtime';
import { PLUGIN_ID } from './uids';

export default async ({ strapi }: { strapi: Core.Strapi }): Promise<void> => {
  await (strapi.plugin(PLUGIN_ID).service('runtime') as ReturnType<typeof runtimeService>).stop();
};
