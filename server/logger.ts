/**
 * Logs without personal data. The engine and the GraphQL layer never put a profile id, user id,
 * token, address or event property in a message, but the errors they log can carry them: an
 * ioredis error keeps the command's arguments (key names hold profile ids, `track` arguments hold
 * event properties), a GraphQL error keeps the operation's source. `console` prints all of that.
 * So an error is logged as its name, message, code and stack only, and other objects as their
 * type: never their fields.
 *
 * `jsonLogger` writes one JSON object per line (for log shippers); the Strapi plugin routes the
 * same rendering to Strapi's logger (plugin/server/logger.ts).
 */
import type { Logger } from './index';

/** What is kept of an error: nothing it merely carries along. */
export interface ErrorSummary {
  name: string;
  message: string;
  /** A system or library code (`ECONNREFUSED`), when it is a short identifier. */
  code?: string;
  stack?: string;
}

export function summarizeError(error: Error): ErrorSummary {
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? { code } : {}),
    ...(error.stack ? { stack: error.stack } : {}),
  };
}

/** One log argument as text: strings as they are, errors as their stack, anything else as its type. */
export function renderLogArgument(argument: unknown): string {
  if (typeof argument === 'string') return argument;
  if (argument instanceof Error) return argument.stack ?? `${argument.name}: ${argument.message}`;
  if (argument === null || typeof argument !== 'object') return String(argument);
  return `[${argument.constructor?.name ?? 'Object'}]`;
}

type Level = 'info' | 'warn' | 'error';

/** A logger writing `{"time","level","msg","error"?}` lines to `write` (default: stdout, stderr for errors). */
export function jsonLogger(
  write: (level: Level, line: string) => void = (level, line) =>
    (level === 'error' ? process.stderr : process.stdout).write(`${line}\n`),
): Logger {
  const log =
    (level: Level) =>
    (...args: unknown[]): void => {
      const error = args.find((argument): argument is Error => argument instanceof Error);
      const msg = args
        .filter((argument) => argument !== error)
        .map(renderLogArgument)
        .join(' ');
      const entry = {
        time: new Date().toISOString(),
        level,
        msg,
        ...(error ? { error: summarizeError(error) } : {}),
      };
      write(level, JSON.stringify(entry));
    };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}
