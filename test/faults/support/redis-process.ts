/**
 * A private `redis-server` that a fault test can kill, pause and start again on the same port and
 * data directory (test/setup/redis-server.ts gives a new directory per start, so it cannot
 * restart). Persistence as production should run it: AOF with `appendfsync always`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort, waitForRedis } from '../../setup/redis-server';

export class RedisProcess {
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly args: string[],
  ) {}

  /** Starts `redis-server` on a free port with a fresh data directory. */
  static async start(
    args: string[] = ['--appendonly', 'yes', '--appendfsync', 'always'],
  ): Promise<RedisProcess> {
    const redis = new RedisProcess(await freePort(), mkdtempSync(join(tmpdir(), 'pz-faults-redis-')), args);
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts the server again on the same port and directory; resolves when it answers PING. */
  async up(): Promise<void> {
    if (this.child) throw new Error('redis is already running');
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir, ...this.args],
      { stdio: 'ignore' },
    );
    await waitForRedis(this.url);
  }

  /** Stops the server with `signal` (SIGKILL: a crash, nothing flushed on the way out). */
  async down(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) the server: connections stay open, nothing answers. */
  pause(frozen: boolean): void {
    this.child?.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  /** A connection of the test's own (closed by the caller). */
  connect(): Redis {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1 });
    client.on('error', () => {}); // the server is stopped on purpose; commands still fail clearly
    return client;
  }

  async destroy(): Promise<void> {
    this.pause(false);
    await this.down('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
