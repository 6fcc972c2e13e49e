/**
 * The standalone server (`server/standalone.ts`, through tsx) in a child process, as `npm run
 * serve` runs it, on a free port of 127.0.0.1: for tests that need real separate processes (two
 * instances, a killed instance, the server API's own process).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PATH } from '../graphql/support/harness';
import { freePort } from '../setup/redis-server';

const REPO = join(__dirname, '..', '..');
const START_TIMEOUT_MS = 60_000;

export interface StandaloneProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** The GraphQL endpoint over HTTP and WebSocket. */
  url: string;
  wsUrl: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Sends `signal` (default SIGTERM) unless it already exited; resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the server with `env` over this process's environment; resolves once it listens. */
export async function startStandalone(env: Record<string, string>): Promise<StandaloneProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/standalone.ts'], {
    cwd: REPO,
    env: { ...process.env, NODE_ENV: 'test', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${output}`));
    });
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    child,
    base,
    url: `${base}${PATH}`,
    wsUrl: `ws://127.0.0.1:${port}${PATH}`,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
