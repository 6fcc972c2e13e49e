import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // One graphql instance: Apollo Server and graphql-ws load graphql's CommonJS entry from Node, so
  // sources under test must too (vite would pick index.mjs: "Cannot use GraphQLSchema from another realm").
  resolve: {
    alias: [
      {
        find: /^graphql$/,
        replacement: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // One private redis-server (and a 3-master cluster) for the whole run; never the machine's shared Redis.
    globalSetup: ['test/setup/redis-global.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // 2 cores: a few workers, real-clock tests must not be starved.
    maxWorkers: 2,
  },
});
