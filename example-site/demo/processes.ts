/**
 * Child processes of the demo: started with their output prefixed (so interleaved logs stay
 * readable), waited for over HTTP, and all stopped together on exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const children = new Set<ChildProcess>();

/** Runs a command to completion (a build step); rejects with its exit code. */
export async function run(
  label: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<void> {
  const child = start(label, command, args, options);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${label}: \`${command} ${args.join(' ')}\` exited with ${code}`);
}

/** Starts a long-running command; it is stopped by `stopAll`. */
export function start(
  label: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): ChildProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: npx/npm start grandchildren, and stopping must reach all of them.
    detached: true,
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const prefix = `[${label}] `;
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(prefix + line + '\n');
    });
  }
  return child;
}

/** Resolves when `url` answers (any status below 500), rejects after `timeoutMs` or if `child` exits first. */
export async function waitForHttp(url: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child?.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`process exited before ${url} answered`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await sleep(300);
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000}s`);
}

/** Stops every child still running with its whole process group (SIGTERM, then SIGKILL after 5 s). */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          const signal = (name: NodeJS.Signals): void => {
            try {
              if (child.pid !== undefined) process.kill(-child.pid, name);
            } catch {
              // the group is already gone
            }
          };
          const kill = setTimeout(() => signal('SIGKILL'), 5000);
          child.once('exit', () => {
            clearTimeout(kill);
            // The leader exited; give the rest of its group the same signal, then let it be.
            signal('SIGTERM');
            resolve();
          });
          signal('SIGTERM');
        }),
    ),
  );
}
