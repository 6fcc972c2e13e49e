/**
 * Finds the profile token of a request and checks it. HTTP callers send it as
 * `Authorization: Bearer <token>` (preferred) or the `pz_token` cookie; WebSocket callers in the
 * `connection_init` payload (`{ token }`).
 */
import type { Auth } from '../resolvers/context';
import { TOKEN_COOKIE } from './protocol';
import type { TokenSigner } from './tokens';

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The token of an HTTP request, or null. */
export function tokenFromHeaders(headers: Headers): string | null {
  return findToken(headers).token;
}

/**
 * The token of an HTTP request and where it came from: a cookie is sent by the browser to any
 * page's request (the caller then checks the request's origin), a header only by the site's code.
 * A `pz_token` cookie that is not valid percent-encoding is no token (an anonymous request), never
 * an error: a broken cookie must not break the pages of the visitor who carries it.
 */
export function findToken(headers: Headers): { token: string | null; from: 'header' | 'cookie' | null } {
  const authorization = header(headers, 'authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return { token: match ? match[1]! : authorization.trim(), from: 'header' };
  }
  const cookie = header(headers, 'cookie');
  if (cookie) {
    for (const part of cookie.split(';')) {
      const [name, ...rest] = part.split('=');
      if (name?.trim() !== TOKEN_COOKIE) continue;
      let value = rest.join('=').trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      try {
        value = decodeURIComponent(value);
      } catch {
        return { token: null, from: null };
      }
      return value === '' ? { token: null, from: null } : { token: value, from: 'cookie' };
    }
  }
  return { token: null, from: null };
}

/**
 * Whether a request that carries the token as a cookie comes from a page allowed to act for its
 * holder: `Sec-Fetch-Site: same-origin` (or `none`: the visitor opened the URL itself), or an
 * `Origin` whose host is the request's `Host` (the
 * endpoint's own origin; the scheme is not compared, as Go's CrossOriginProtection does, since a
 * TLS-terminating proxy hides it) or one of `allowedOrigins`. Without this check any site could
 * make a visitor's browser call the endpoint with the visitor's cookie (cross-site request forgery).
 */
export function cookieOriginAllowed(headers: Headers, allowedOrigins: readonly string[]): boolean {
  const site = header(headers, 'sec-fetch-site')?.trim().toLowerCase();
  if (site === 'same-origin' || site === 'none') return true;
  const origin = header(headers, 'origin')?.trim();
  if (!origin || origin === 'null') return false;
  if (allowedOrigins.includes(origin)) return true;
  const host = header(headers, 'host')?.trim().toLowerCase();
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** What a token (or its absence) proves. */
export function authenticate(tokens: TokenSigner, token: string | null | undefined): Auth {
  if (token === null || token === undefined || token === '') return { kind: 'none' };
  const check = tokens.verify(token);
  return check.ok
    ? { kind: 'verified', profileId: check.claims.profileId, expiresAt: check.claims.expiresAt }
    : { kind: 'refused', refusal: check.refusal };
}
