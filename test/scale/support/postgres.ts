/**
 * A throwaway database on the machine's PostgreSQL (127.0.0.1:5432, trust auth): created fresh for
 * a suite, dropped after it. Only a database this helper created is ever dropped.
 *
 * `pg` (Strapi's own driver) ships no types of its own and @types/pg is not installed, so the few
 * calls used here are typed by hand.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
type PgClientConstructor = new (config: {
  host: string;
  port: number;
  user: string;
  database: string;
}) => PgClient;

const { Client } = createRequire(__filename)('pg') as { Client: PgClientConstructor };

export interface ScratchDatabase {
  host: string;
  port: number;
  /** The role that created it (`PGUSER`, else `postgres`, else `root`). */
  user: string;
  name: string;
  /** Drops the database, closing the sessions still on it. Idempotent. */
  drop(): Promise<void>;
}

const HOST = '127.0.0.1';
const PORT = 5432;

/** Creates `personalize_scale_<random>`; rejects when no candidate role can connect. */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const user = await firstWorkingUser();
  const name = `personalize_scale_${randomBytes(6).toString('hex')}`;
  await admin(user, `CREATE DATABASE ${name}`);
  let dropped: Promise<void> | undefined;
  return {
    host: HOST,
    port: PORT,
    user,
    name,
    drop() {
      // FORCE (PostgreSQL 13+): an instance that did not exit cleanly may still hold a session.
      dropped ??= admin(user, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      return dropped;
    },
  };
}

/** Runs one statement on the `postgres` maintenance database as `user`. */
async function admin(user: string, sql: string): Promise<void> {
  const client = new Client({ host: HOST, port: PORT, user, database: 'postgres' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function firstWorkingUser(): Promise<string> {
  const candidates = [process.env.PGUSER, 'postgres', 'root'].filter((user): user is string => !!user);
  const failures: string[] = [];
  for (const user of candidates) {
    try {
      await admin(user, 'SELECT 1');
      return user;
    } catch (error) {
      failures.push(`${user}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`no PostgreSQL role can connect to ${HOST}:${PORT} (${failures.join('; ')})`);
}
