/**
 * The engine's and the GraphQL layer's loggers, routed to Strapi's: one `[personalize]` prefix
 * (the layers' own `personalize: ` is dropped), errors with their stack only, and other objects as
 * their type (server/logger.ts): an error's attached fields (a Redis command's arguments, a
 * GraphQL operation's source) or a socket or a request must never reach the log, as they can carry
 * profile ids, tokens, addresses or event properties.
 */
import type { Core } from '@strapi/strapi';
import { renderLogArgument } from '../../server/logger';

/** What the engine and the GraphQL layer log through. */
export interface PluginLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export function pluginLogger(strapi: Core.Strapi): PluginLogger {
  const write =
    (level: 'info' | 'warn' | 'error') =>
    (...args: unknown[]): void => {
      const text = args
        .map(renderLogArgument)
        .join(' ')
        .replace(/^personalize: /, '');
      strapi.log[level](`[personalize] ${text}`);
    };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}
