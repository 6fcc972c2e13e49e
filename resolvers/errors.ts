/**
 * Every refusal of the endpoint as a GraphQL error with a stable `extensions.code` (the codes are
 * in server/protocol.ts), so clients act on codes, not messages. WebSocket refusals before any
 * operation use close codes instead (`CloseCode`, same module).
 */
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../server/protocol';
import type { TokenRefusal } from './services';

/** A GraphQL error carrying `code` (and any extra extensions). */
export function refusal(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/** The retryable refusal of an operation that needed the profile store while it was unreachable. */
export function storeUnavailable(): GraphQLError {
  return refusal(ErrorCode.Unavailable, 'the profile store is unavailable; retry shortly', {
    retryable: true,
  });
}

/** The message a caller sees for each token refusal (`INVALID_TOKEN`, or the WebSocket close reason). */
export function describeRefusal(refusal: TokenRefusal): string {
  switch (refusal) {
    case 'malformed':
      return 'the profile token is malformed; call startSession for a new one';
    case 'unknown-key':
      return 'the profile token was signed with a key this server does not accept; call startSession for a new one';
    case 'bad-signature':
      return 'the profile token signature is invalid';
    case 'expired':
      return 'the profile token has expired (refreshSession renews a token before it expires); call startSession for a new one';
  }
}
