/**
 * Boots the example CMS (example-site/cms, with the plugin from the repository root) inside a test:
 * SQLite in a fresh temporary directory, the run's private Redis under a unique key prefix, Strapi's
 * HTTP server on a free loopback port.
 *
 * Two Strapi facts shape this helper:
 * - Strapi is loaded with `require` (its ESM entry fails under vitest's module runner).
 * - `strapi.destroy()` calls `process.removeAllListeners()`, which would cut the test worker's own
 *   IPC and signal listeners; they are saved before and put back after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Core } from '@strapi/strapi';

const requireCjs = createRequire(__filename);

/** The example CMS directory. */
export const CMS_DIR = resolve(__dirname, '..', '..', '..', 'example-site', 'cms');

export interface BootedStrapi {
  strapi: Core.Strapi;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /**
   * Destroys Strapi, restores the process listeners it removed, deletes the temporary directory.
   * Idempotent: a test may stop the app itself, afterAll stops it again harmlessly.
   */
  stop(): Promise<void>;
}

export interface BootOptions {
  redisUrl: string;
  /** Unique per suite, so suites sharing the run's Redis never see each other's keys. */
  keyPrefix: string;
  /** Extra environment for the app's config (`config/*.js` read it at load time). */
  env?: Record<string, string>;
  /** The app directory; default the example CMS itself (the browser suite uses a built copy). */
  appDir?: string;
  /**
   * Where the app's JavaScript and admin build are: the app directory itself (default; no admin
   * panel), or its `dist/` after `strapi build` (support/admin-build.ts) to serve the admin.
   */
  distDir?: string;
}

/** Loads and starts the example CMS; call `stop()` in `afterAll`. */
export async function bootStrapi(options: BootOptions): Promise<BootedStrapi> {
  const dataDir = mkdtempSync(join(tmpdir(), 'personalize-strapi-'));
  const environment: Record<string, string> = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_CLIENT: 'sqlite',
    DATABASE_FILENAME: join(dataDir, 'data.db'),
    REDIS_URL: options.redisUrl,
    PERSONALIZE_KEY_PREFIX: options.keyPrefix,
    PERSONALIZE_TOKEN_SECRETS: 'test-profile-token-secret-0123456789',
    PERSONALIZE_DEMO_SEED: 'off',
    LOG_LEVEL: 'warn',
    STRAPI_TELEMETRY_DISABLED: 'true',
    BROWSER: 'none',
    ...options.env,
  };
  const previous = Object.fromEntries(Object.keys(environment).map((name) => [name, process.env[name]]));
  Object.assign(process.env, environment);

  const { createStrapi } = requireCjs('@strapi/strapi') as typeof import('@strapi/strapi');
  const savedListeners = saveProcessListeners();
  const cleanUp = (): void => {
    restoreProcessListeners(savedListeners);
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  let strapi: Core.Strapi;
  try {
    strapi = await createStrapi({
      appDir: options.appDir ?? CMS_DIR,
      distDir: options.distDir ?? options.appDir ?? CMS_DIR,
    }).load();
    await new Promise<void>((resolveListen, reject) => {
      strapi.server.httpServer.once('error', reject);
      // Through strapi.server (not httpServer) so the API routers are mounted first.
      strapi.server.listen(0, '127.0.0.1', () => resolveListen());
    });
  } catch (error) {
    cleanUp();
    throw error;
  }
  const { port } = strapi.server.httpServer.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  return {
    strapi,
    baseUrl: `http://127.0.0.1:${port}`,
    stop() {
      stopping ??= strapi.destroy().finally(cleanUp);
      return stopping;
    },
  };
}

type ListenerMap = Map<string | symbol, Array<(...args: unknown[]) => void>>;

function saveProcessListeners(): ListenerMap {
  const saved: ListenerMap = new Map();
  for (const event of process.eventNames())
    saved.set(event, process.listeners(event as NodeJS.Signals) as Array<(...args: unknown[]) => void>);
  return saved;
}

/** Puts back every listener Strapi removed, without duplicating those still attached. */
function restoreProcessListeners(saved: ListenerMap): void {
  for (const [event, listeners] of saved) {
    const present = new Set(process.listeners(event as NodeJS.Signals));
    for (const listener of listeners)
      if (!present.has(listener)) process.on(event as NodeJS.Signals, listener);
  }
}
