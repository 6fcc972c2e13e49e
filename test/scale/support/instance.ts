/**
 * One instance of the example CMS in a process of its own, as `strapi start` runs it in production
 * (`strapi.start()`: load, then listen on the configured host and port), without an admin build
 * (`distDir` is the app itself, as in test/strapi, and `SERVE_ADMIN_PANEL=false`): the APIs, the
 * admin API included, but not the panel.
 *
 * Started by the scale suite with `fork` (node --import tsx) and configured only by the environment
 * that `config/*.js` read. With `PORT=0` the port is the kernel's choice, so the parent learns it
 * from an IPC message `{ listening: port }` instead of racing for a free port. Strapi handles
 * SIGTERM itself (destroy: sockets, Redis connections, database pool; then exit).
 */
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createStrapi } from '@strapi/strapi';

const appDir = resolve(__dirname, '..', '..', '..', 'example-site', 'cms');

async function main(): Promise<void> {
  const strapi = createStrapi({ appDir, distDir: appDir });
  // start() exits the process itself (code 1) when loading fails, after logging why.
  await strapi.start();
  const { port } = strapi.server.httpServer.address() as AddressInfo;
  process.send?.({ listening: port });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
