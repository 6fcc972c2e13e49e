/**
 * Vite config of the demo SPA. The personalize client is taken from its source (no build step
 * needed in dev), and `/personalize` is proxied to the CMS (HTTP and WebSocket) so the SPA and the
 * endpoint share an origin in dev as in production.
 */
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const target = process.env.PERSONALIZE_TARGET ?? 'http://127.0.0.1:1337';

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: {
      '@personalize/client/react': fileURLToPath(new URL('../../client/src/react/index.ts', import.meta.url)),
      '@personalize/client': fileURLToPath(new URL('../../client/src/index.ts', import.meta.url)),
    },
  },
  server: { proxy: { '/personalize': { target, ws: true, changeOrigin: true } } },
  preview: { proxy: { '/personalize': { target, ws: true, changeOrigin: true } } },
  build: { outDir: 'dist', sourcemap: true },
});
