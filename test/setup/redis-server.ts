/**
 * Spawns a private `redis-server` on a free loopback port for tests and benchmarks.
 * The shared Redis of the machine is never touched: callers get a server they own and stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';

export interface SpawnedRedis {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Waits until a Redis at `url` answers PING. */
export async function waitForRedis(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    // A refused connection while the server starts is expected: `connect()` rejects with it, and the
    // 'error' event would otherwise be printed as unhandled.
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`redis at ${url} did not answer: ${String(error)}`);
      await sleep(50);
    } finally {
      client.disconnect();
    }
  }
}

/** Starts `redis-server` with extra arguments (e.g. `['--appendonly', 'yes']`) on a free port. */
export async function spawnRedis(extraArgs: string[] = [], port?: number): Promise<SpawnedRedis> {
  const chosenPort = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'personalize-redis-'));
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(chosenPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      ...extraArgs,
    ],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${chosenPort}`;
  await waitForRedis(url);
  return {
    url,
    port: chosenPort,
    process: child,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
