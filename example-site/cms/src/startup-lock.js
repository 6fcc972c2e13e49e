'use strict';

/**
 * Start-up of several instances of this app on one PostgreSQL database, one at a time.
 *
 * Strapi 5 syncs the schema, runs its internal migrations and creates the admin roles without any
 * lock: two instances starting at once on a fresh database both CREATE TABLE and one of them dies
 * (`duplicate key value violates unique constraint "pg_type_typname_nsp_index"`). The demo seed
 * looks entries up before creating them and would duplicate them the same way. So the app takes a
 * PostgreSQL advisory lock in its register() (before Strapi touches the schema) and releases it at
 * the end of its bootstrap() (after the seed): instances start one after the other, and the later
 * ones find the schema, roles and seed in place. The lock is held by a connection of its own, so a
 * start that crashes releases it with its process. SQLite serves one process and needs no lock.
 */

/** Names the lock (hashed to the advisory lock's integer key), shared by every instance of the app. */
const LOCK_NAME = 'personalize-example-cms:start-up';

/**
 * Waits for the start-up lock when the app runs on PostgreSQL; resolves to the function that
 * releases it (a no-op on SQLite).
 */
async function acquireStartupLock(strapi) {
  const { client: dialect, connection } = strapi.config.get('database.connection');
  if (dialect !== 'postgres') return async () => {};
  // Strapi's own PostgreSQL driver; loaded only on PostgreSQL.
  const { Client } = require('pg');
  const client = new Client(connection);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [LOCK_NAME]);
  } catch (error) {
    await client.end();
    throw error;
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    // Closing the session releases its advisory locks too; unlocking first says so explicitly.
    try {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK_NAME]);
    } finally {
      await client.end();
    }
  };
}

module.exports = { acquireStartupLock };
