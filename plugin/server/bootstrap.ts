/**
 * bootstrap(): registers the admin permissions, starts the personalizer on the stored segments,
 * loads the server API's keys (services/api-keys.ts) and mounts the GraphQL layer and the server
 * API on Strapi's own HTTP server (http/mount.ts), both reporting to the runtime's metrics.
 * (Health, readiness and metrics are plain routes: routes/operator.ts.)
 */
import type { Core } from '@strapi/strapi';
import { parsePluginConfig } from './config/schema';
import { mountGraphql } from './http/mount';
import { permissionActions } from './permissions';
import { PLUGIN_ID } from './uids';
import { getService } from './get-service';

export default async ({ strapi }: { strapi: Core.Strapi }): Promise<void> => {
  await strapi.service('admin::permission').actionProvider.registerMany(permissionActions);
  const config = parsePluginConfig(strapi.config.get(`plugin::${PLUGIN_ID}`));
  const runtime = getService(strapi, 'runtime');
  const personalizer = await runtime.start(config);
  const apiKeys = getService(strapi, 'api-keys');
  runtime.onStop(await apiKeys.start(personalizer, config.serverApi.rotationGraceMs));
  await mountGraphql(
    strapi,
    personalizer,
    config,
    runtime.metrics(),
    (teardown) => runtime.onStop(teardown),
    apiKeys.verifier(),
  );
};
