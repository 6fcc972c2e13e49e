/**
 * A private copy of the example CMS with its admin panel built (`strapi build`, about a minute),
 * for the browser suite. The copy lives under `.tmp/` in the repository (so the plugin and the
 * dependencies resolve as from the original) and is rebuilt only when a file it depends on (the
 * plugin's admin source, the app's config and source) is newer than the build. Building in a copy
 * keeps the suite from fighting over `example-site/cms/dist` with a `strapi develop` (the demo)
 * running at the same time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join, resolve } from 'node:path';
import { APP_FILES, appCopyDir, copyApp } from './app-copy';
import { CMS_DIR } from './strapi-app';

const REPO = resolve(CMS_DIR, '..', '..');
/** The private copy of the app. */
export const ADMIN_APP_DIR = appCopyDir('strapi-admin-test');
/** Where `strapi build` leaves the compiled copy (config, src) and the admin panel (build/). */
export const ADMIN_DIST_DIR = join(ADMIN_APP_DIR, 'dist');
const BUILD_MARKER = join(ADMIN_DIST_DIR, 'build', 'index.html');

/** What the build depends on, besides the app's own files. */
const PLUGIN_INPUTS = [join(REPO, 'plugin', 'admin', 'src'), join(REPO, 'strapi-admin.js')];

/** Held (a directory: `mkdir` is atomic) while one test process builds; the others wait for it. */
const BUILD_LOCK = `${ADMIN_APP_DIR}.lock`;
const BUILD_TIMEOUT_MS = 300_000;

/**
 * Copies and builds the app unless the private build is newer than all of its inputs. Several
 * suites use the build and run in parallel workers: one builds, the others wait and reuse it.
 */
export async function ensureAdminBuild(): Promise<void> {
  await withBuildLock(() => {
    const inputs = [...PLUGIN_INPUTS, ...APP_FILES.map((file) => join(CMS_DIR, file))];
    if (existsSync(BUILD_MARKER) && newest(inputs) <= statSync(BUILD_MARKER).mtimeMs) return;
    copyApp('strapi-admin-test');
    execFileSync('npx', ['strapi', 'build'], {
      cwd: ADMIN_APP_DIR,
      stdio: 'inherit',
      timeout: BUILD_TIMEOUT_MS,
    });
  });
}

async function withBuildLock(build: () => void): Promise<void> {
  mkdirSync(join(ADMIN_APP_DIR, '..'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than a build can take was left by a killed run.
      const heldSince = existsSync(BUILD_LOCK)
        ? statSync(BUILD_LOCK, { throwIfNoEntry: false })?.mtimeMs
        : undefined;
      if (heldSince !== undefined && Date.now() - heldSince > BUILD_TIMEOUT_MS + 60_000)
        rmSync(BUILD_LOCK, { recursive: true, force: true });
      else await sleep(500);
    }
  }
  try {
    build();
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

function newest(paths: string[]): number {
  let latest = 0;
  const visit = (path: string): void => {
    const stat = statSync(path);
    latest = Math.max(latest, stat.mtimeMs);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
  };
  for (const path of paths) if (existsSync(path)) visit(path);
  return latest;
}
