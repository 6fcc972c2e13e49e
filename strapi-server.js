'use strict';

/**
 * Server entry point of the personalize plugin, as Strapi loads it (`strapi-server.js` at the root of
 * the plugin package).
 *
 * In a published package the compiled server (`dist/plugin/server`) is loaded. In this repository,
 * where the TypeScript sources sit next to this file, they are loaded directly through tsx, so the
 * example CMS and the tests always run the code as it is, never a stale build.
 */
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const source = join(__dirname, 'plugin', 'server', 'index.ts');
if (existsSync(source)) {
  require('tsx/cjs/api').register();
  module.exports = require(source);
} else {
  module.exports = require('./dist/plugin/server/index.js');
}
