/**
 * Starts and stops instances of the example CMS as child processes (support/instance.ts), each
 * configured by its environment only, as a process manager or a container would run it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ENTRY = join(__dirname, 'instance.ts');

/** How long a start may take: a first start on a fresh database creates the schema and seeds. */
const START_TIMEOUT_MS = 120_000;
/** How long Strapi gets to close its sockets and pools after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 15_000;
/** The end of an instance's output kept for error messages. */
const OUTPUT_TAIL = 8_000;

export interface CmsProcess {
  name: string;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** SIGTERM, then SIGKILL if it has not exited in time. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Forks one instance with `env` on top of this process's environment (minus the variables the
 * app's config would otherwise pick up from the caller: `REDIS_URL`, `DATABASE_URL`) and resolves
 * once it listens. On failure the instance is stopped and its output is in the error.
 */
export async function startCms(name: string, env: Record<string, string>): Promise<CmsProcess> {
  const inherited = { ...process.env };
  delete inherited.REDIS_URL;
  delete inherited.DATABASE_URL;
  const child = fork(ENTRY, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...inherited, ...env, HOST: '127.0.0.1', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + String(chunk)).slice(-OUTPUT_TAIL);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = once(() => terminate(child, exited));

  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} did not listen within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      child.on('message', (message: { listening?: number }) => {
        if (typeof message.listening !== 'number') return;
        clearTimeout(timer);
        resolve(message.listening);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited during start (code ${code}, signal ${signal})`));
      });
    });
    return { name, baseUrl: `http://127.0.0.1:${port}`, stop };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- ${name} output ---\n${output}`);
  }
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), STOP_TIMEOUT_MS);
  });
  if ((await Promise.race([exited, late])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action());
}
