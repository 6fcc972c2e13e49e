'use strict';

const fs = require('node:fs');
const path = require('node:path');

/** The app directory (the nearest package.json above this file, which runs from config/ or dist/config/). */
function appRoot() {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && dir !== path.dirname(dir)) dir = path.dirname(dir);
  return dir;
}

/**
 * SQLite by default (a file under `.tmp/`), PostgreSQL when `DATABASE_CLIENT=postgres`.
 * `DATABASE_FILENAME` is resolved against the app directory unless absolute, so tests can point it
 * at a temporary directory.
 */
module.exports = ({ env }) => {
  const client = env('DATABASE_CLIENT', 'sqlite');
  if (client === 'postgres') {
    return {
      connection: {
        client: 'postgres',
        connection: env('DATABASE_URL')
          ? { connectionString: env('DATABASE_URL') }
          : {
              host: env('DATABASE_HOST', '127.0.0.1'),
              port: env.int('DATABASE_PORT', 5432),
              database: env('DATABASE_NAME', 'strapi'),
              user: env('DATABASE_USERNAME', 'strapi'),
              password: env('DATABASE_PASSWORD', 'strapi'),
            },
        pool: { min: env.int('DATABASE_POOL_MIN', 0), max: env.int('DATABASE_POOL_MAX', 10) },
      },
    };
  }
  if (client !== 'sqlite') throw new Error(`DATABASE_CLIENT must be "sqlite" or "postgres", got "${client}"`);
  return {
    connection: {
      client: 'sqlite',
      connection: { filename: path.resolve(appRoot(), env('DATABASE_FILENAME', '.tmp/data.db')) },
      useNullAsDefault: true,
    },
  };
};
