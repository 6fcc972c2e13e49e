/**
 * The demo stack for browser tests: the standalone GraphQL server (`server/standalone.ts`) over the
 * seed as JSON fixtures, on the run's private Redis under a unique key prefix, and the built SPA
 * (or any static page) served same-origin in front of it by the demo's SPA server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signIdentityAssertion } from '../../../server/identity.js';
import { writeFixtures } from '../../../example-site/seed/fixtures.js';
import type { DemoWindows } from '../../../example-site/seed/segments.js';
import { startSpaServer, type SpaServer } from '../../../example-site/spa-server.js';
import { freePort } from '../../setup/redis-server.js';

export const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
const SECRET = 'e2e-profile-token-secret-0123456789abcdef';
const IDENTITY_SECRET = 'e2e-identity-assertion-secret-0123456789ab';

export interface StackOptions {
  redisUrl: string;
  /** Unique per suite: suites share the run's Redis. */
  keyPrefix: string;
  /** What to serve: the SPA build by default. */
  root?: string;
  windows?: DemoWindows;
}

/** A running stack. */
export interface Stack {
  /** Origin of the page (SPA server); the endpoint is `${url}/personalize/graphql`. */
  url: string;
  /** Direct URL of the GraphQL server (bypassing the SPA server). */
  backendUrl: string;
  spa: SpaServer;
  /** Stops the GraphQL server (an outage); `startBackend` brings it back on the same port. */
  stopBackend(): Promise<void>;
  startBackend(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the stack; call `close()` in afterAll. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const contentDir = mkdtempSync(join(tmpdir(), 'personalize-e2e-content-'));
  writeFixtures(contentDir, options.windows);
  const port = await freePort();
  const backendUrl = `http://127.0.0.1:${port}`;
  let backend: ChildProcess | null = null;

  const startBackend = async (): Promise<void> => {
    const child = spawn(
      process.execPath,
      [join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(REPO, 'server', 'standalone.ts')],
      {
        cwd: REPO,
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          REDIS_URL: options.redisUrl,
          KEY_PREFIX: options.keyPrefix,
          TOKEN_SECRETS: SECRET,
          IDENTITY_SECRETS: IDENTITY_SECRET,
          CONTENT_DIR: contentDir,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    backend = child;
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForEndpoint(`${backendUrl}/personalize/graphql`, child, () => output);
  };

  const stopBackend = async (): Promise<void> => {
    const child = backend;
    backend = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolveExit) => {
      child.once('exit', () => resolveExit());
      child.kill('SIGTERM');
    });
  };

  await startBackend();
  const spa = await startSpaServer({
    root: options.root ?? join(REPO, 'example-site', 'spa', 'dist'),
    upstream: backendUrl,
    signIdentityAssertion: (userId) =>
      signIdentityAssertion({ userId, secret: IDENTITY_SECRET, traits: { demo: true } }),
  });
  return {
    url: spa.url,
    backendUrl,
    spa,
    stopBackend,
    startBackend,
    async close() {
      await spa.close();
      await stopBackend();
      rmSync(contentDir, { recursive: true, force: true });
    },
  };
}

/** Polls the endpoint with a trivial query until it answers. */
async function waitForEndpoint(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`standalone server exited (${child.exitCode}):\n${output()}`);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
  throw new Error(`standalone server did not answer within ${timeoutMs / 1000}s:\n${output()}`);
}
