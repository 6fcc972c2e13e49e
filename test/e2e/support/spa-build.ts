/**
 * Builds the demo SPA (its own Vite config, as `npm run build` would) into a temporary folder, so
 * browser tests always run the current sources and never overwrite a developer's `dist`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { REPO } from './stack.js';

/** Builds the SPA; returns the folder holding `index.html` and `assets/`. */
export async function buildSpa(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'personalize-spa-'));
  const root = join(REPO, 'example-site', 'spa');
  // A production build (React without its development checks), even though vitest sets NODE_ENV=test.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root,
      mode: 'production',
      configFile: join(root, 'vite.config.ts'),
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true, sourcemap: false },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return outDir;
}
