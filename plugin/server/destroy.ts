/**
 * destroy(): closes what bootstrap opened, last first: the WebSocket listener and open sockets, the
 * GraphQL layer, then the personalizer (its Redis connections and due-set poller).
 */
import type { Core } from '@strapi/strapi';
import { getService } from './get-service';

export default async ({ strapi }: { strapi: Core.Strapi }): Promise<void> => {
  await getService(strapi, 'runtime').stop();
};
