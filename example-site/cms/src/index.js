'use strict';

const fs = require('node:fs');
const path = require('node:path');

/**
 * The demo app's lifecycle: on start it seeds the demo segments, content and admin account
 * (example-site/seed, idempotent: a second start creates nothing and overwrites nothing).
 * `PERSONALIZE_DEMO_SEED=off` skips it (the plugin's tests create their own data).
 */
module.exports = {
  register() {},

  async bootstrap({ strapi }) {
    if (process.env.PERSONALIZE_DEMO_SEED === 'off') return;
    const seed = path.join(exampleSiteDir(), 'seed', 'index.ts');
    // The seed is TypeScript, shared with the standalone demo; tsx compiles it on require.
    require('tsx/cjs/api').register();
    const { seedDemo } = require(seed);
    await seedDemo(strapi);
  },
};

/** example-site/, found from this file whether it runs from src/ or, after `strapi build`, dist/src/. */
function exampleSiteDir() {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'seed', 'index.ts')) && dir !== path.dirname(dir))
    dir = path.dirname(dir);
  return dir;
}
