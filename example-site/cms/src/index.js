'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { acquireStartupLock } = require('./startup-lock');

/** Releases the start-up lock taken in register(); null once released. */
let releaseStartupLock = null;

/**
 * The demo app's lifecycle: on start it seeds the demo segments, content and admin account
 * (example-site/seed, idempotent: a second start creates nothing and overwrites nothing).
 * `PERSONALIZE_DEMO_SEED=off` skips it (the plugin's tests create their own data).
 *
 * On PostgreSQL, instances sharing the database start one at a time (startup-lock.js): from
 * register(), before Strapi syncs the schema, to the end of bootstrap(), after the seed.
 */
module.exports = {
  async register({ strapi }) {
    releaseStartupLock = await acquireStartupLock(strapi);
  },

  async bootstrap({ strapi }) {
    try {
      if (process.env.PERSONALIZE_DEMO_SEED === 'off') return;
      const seed = path.join(exampleSiteDir(), 'seed', 'index.ts');
      // The seed is TypeScript, shared with the standalone demo; tsx compiles it on require.
      require('tsx/cjs/api').register();
      const { seedDemo } = require(seed);
      await seedDemo(strapi);
    } finally {
      await release();
    }
  },

  /** A start that failed before bootstrap() ends still holds the lock. */
  async destroy() {
    await release();
  },
};

async function release() {
  const pending = releaseStartupLock;
  releaseStartupLock = null;
  if (pending) await pending();
}

/** example-site/, found from this file whether it runs from src/ or, after `strapi build`, dist/src/. */
function exampleSiteDir() {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'seed', 'index.ts')) && dir !== path.dirname(dir))
    dir = path.dirname(dir);
  return dir;
}
