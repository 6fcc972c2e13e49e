/**
 * The engine's and the GraphQL layer's loggers, routed to Strapi's: one `[personalize]` prefix
 * (the layers' own `personalize: ` is dropped), errors with their stack, and other objects
 * summarised (a socket or a request must never be dumped whole into the log).
 */
import { inspect } from 'node:util';
import type { Core } from '@strapi/strapi';

/** What the engine and the GraphQL layer log through. */
export interface PluginLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** Longest rendering of one non-string argument. */
const MAX_ARGUMENT_CHARS = 500;

export function pluginLogger(strapi: Core.Strapi): PluginLogger {
  const write =
    (level: 'info' | 'warn' | 'error') =>
    (...args: unknown[]): void => {
      const text = args
        .map(render)
        .join(' ')
        .replace(/^personalize: /, '');
      strapi.log[level](`[personalize] ${text}`);
    };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

function render(argument: unknown): string {
  if (typeof argument === 'string') return argument;
  if (argument instanceof Error) return argument.stack ?? `${argument.name}: ${argument.message}`;
  const text = inspect(argument, { depth: 1, breakLength: Infinity });
  return text.length > MAX_ARGUMENT_CHARS ? `${text.slice(0, MAX_ARGUMENT_CHARS)}…` : text;
}
