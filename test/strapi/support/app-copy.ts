/**
 * Private copies of the example CMS under `.tmp/` in the repository (so the plugin and the
 * dependencies resolve as from the original), for suites that need a build of their own or a
 * content type the demo does not have.
 */
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CMS_DIR } from './strapi-app';

/** What the app is made of (its runtime files: databases and uploads are not part of it). */
export const APP_FILES = ['package.json', 'tsconfig.json', 'favicon.png', 'config', 'src', 'public'];

/** `.tmp/<name>/cms` in the repository. */
export function appCopyDir(name: string): string {
  return join(resolve(CMS_DIR, '..', '..'), '.tmp', name, 'cms');
}

/**
 * A fresh copy of the example CMS at `appCopyDir(name)`, plus `extraFiles` (paths relative to the
 * app, JSON-serialised), returning its directory.
 */
export function copyApp(name: string, extraFiles: Record<string, unknown> = {}): string {
  const target = appCopyDir(name);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const file of APP_FILES)
    if (existsSync(join(CMS_DIR, file)))
      cpSync(join(CMS_DIR, file), join(target, file), {
        recursive: true,
        filter: (source) => !source.includes(`${join('public', 'uploads')}/`),
      });
  for (const [path, content] of Object.entries(extraFiles)) {
    mkdirSync(dirname(join(target, path)), { recursive: true });
    writeFileSync(join(target, path), `${JSON.stringify(content, null, 2)}\n`);
  }
  return target;
}
