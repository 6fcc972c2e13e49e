/**
 * Child process of `npm run bench -- strapi`: the example CMS with the plugin, seeded with the demo
 * content, on a free loopback port. Runs apart from the load generator so the two never share an
 * event loop. Prints one JSON line (`{"port":…,"apiToken":"…"}`) when ready and stops on SIGTERM.
 *
 * Environment: REDIS_URL (required; the bench starts a private redis-server), DATABASE_FILENAME.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Core } from '@strapi/strapi';

const CMS_DIR = resolve(__dirname, '..', 'example-site', 'cms');

async function main(): Promise<void> {
  if (!process.env.REDIS_URL) throw new Error('REDIS_URL is required');
  Object.assign(process.env, {
    NODE_ENV: 'production',
    LOG_LEVEL: 'error',
    HOST: '127.0.0.1',
    PORT: '0',
    PERSONALIZE_TOKEN_SECRETS: 'bench-profile-token-secret-0123456789abcdef',
    STRAPI_TELEMETRY_DISABLED: 'true',
  });
  const { createStrapi } = createRequire(__filename)('@strapi/strapi') as typeof import('@strapi/strapi');
  // The app's bootstrap seeds the demo (example-site/seed) on a fresh database.
  const strapi: Core.Strapi = await createStrapi({ appDir: CMS_DIR, distDir: CMS_DIR }).load();
  const token = (await strapi.service('admin::api-token').create({
    name: `bench-${Date.now()}`,
    type: 'read-only',
    lifespan: null,
  })) as { accessKey: string };
  await new Promise<void>((resolveListen) => strapi.server.listen(0, '127.0.0.1', () => resolveListen()));
  const { port } = strapi.server.httpServer.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ port, apiToken: token.accessKey })}\n`);
  process.once('SIGTERM', () => {
    void strapi.destroy().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
