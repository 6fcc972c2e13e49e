/**
 * A private copy of the example CMS with its admin panel built (`strapi build`, about a minute),
 * for the browser suite. The copy lives under `.tmp/` in the repository (so the plugin and the
 * dependencies resolve as from the original) and is rebuilt only when a file it depends on (the
 * plugin's admin source, the app's config and source) is newer than the build. Building in a copy
 * keeps the suite from fighting over `example-site/cms/dist` with a `strapi develop` (the demo)
 * running at the same time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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

/** Copies and builds the app unless the private build is newer than all of its inputs. */
export function ensureAdminBuild(): void {
  const inputs = [...PLUGIN_INPUTS, ...APP_FILES.map((file) => join(CMS_DIR, file))];
  if (existsSync(BUILD_MARKER) && newest(inputs) <= statSync(BUILD_MARKER).mtimeMs) return;
  copyApp('strapi-admin-test');
  execFileSync('npx', ['strapi', 'build'], { cwd: ADMIN_APP_DIR, stdio: 'inherit', timeout: 300_000 });
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
