/**
 * Builds the client package for the browser (Vite library build of `page-entry.ts`, graphql and
 * graphql-ws bundled in) into a folder with an `index.html` that loads it: a real page for
 * Chromium, served by the same-origin SPA server of the demo.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/** Builds once into a temporary folder and returns it. */
export async function buildClientPage(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'personalize-client-page-'));
  await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      outDir,
      emptyOutDir: false,
      minify: false,
      lib: {
        entry: fileURLToPath(new URL('./page-entry.ts', import.meta.url)),
        formats: ['es'],
        fileName: () => 'client.js',
      },
    },
  });
  writeFileSync(
    join(outDir, 'index.html'),
    '<!doctype html><html><head><title>client test</title><script type="module" src="/client.js"></script></head><body></body></html>',
  );
  return outDir;
}
