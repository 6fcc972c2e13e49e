/**
 * Finds the profile token of a request and checks it. HTTP callers send it as
 * `Authorization: Bearer <token>` (preferred) or the `pz_token` cookie; WebSocket callers in the
 * `connection_init` payload (`{ token }`).
 */
import type { Auth } from '../resolvers/context';
import type { TokenSigner } from './tokens';

export const TOKEN_COOKIE = 'pz_token';

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The token of an HTTP request, or null. */
export function tokenFromHeaders(headers: Headers): string | null {
  const authorization = header(headers, 'authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match ? match[1]! : authorization.trim();
  }
  const cookie = header(headers, 'cookie');
  if (cookie) {
    for (const part of cookie.split(';')) {
      const [name, ...rest] = part.split('=');
      if (name?.trim() === TOKEN_COOKIE) return decodeURIComponent(rest.join('=').trim());
    }
  }
  return null;
}

/** What a token (or its absence) proves. */
export function authenticate(tokens: TokenSigner, token: string | null | undefined): Auth {
  if (token === null || token === undefined || token === '') return { kind: 'none' };
  const check = tokens.verify(token);
  return check.ok
    ? { kind: 'verified', profileId: check.claims.profileId, expiresAt: check.claims.expiresAt }
    : { kind: 'refused', refusal: check.refusal };
}
