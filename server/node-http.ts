/**
 * The node:http adapter: reads the body (refusing it past the size limit without buffering more),
 * hands the request to `handleHttp`, writes the response. With `operator` endpoints, health,
 * readiness and metrics are served on their paths (server/health.ts), and the server API under
 * `/personalize/api/v1/` (server/server-api.ts). Other paths get 404.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { ErrorCode } from './protocol';
import type { OperatorEndpoints } from './health';
import { payloadTooLarge, type HttpResponse } from './http';
import { renderLogArgument } from './logger';
import { SERVER_API_PREFIX, serverApiNotUtf8, serverApiTooLarge } from './server-api';
import type { PersonalizeServer } from './index';

/** A request listener serving `server` on `path` (and `operator` on theirs). */
export function nodeHttpHandler(
  server: PersonalizeServer,
  path: string,
  maxBodyBytes: number,
  operator?: OperatorEndpoints,
): RequestListener {
  return (request, response) => {
    void serve(server, path, maxBodyBytes, request, response, operator).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ errors: [{ message: 'internal server error' }] }));
      // Rendered without the error's fields, which may carry request data (server/logger.ts).
      console.error('personalize: HTTP request failed', renderLogArgument(error));
    });
  };
}

async function serve(
  server: PersonalizeServer,
  path: string,
  maxBodyBytes: number,
  request: IncomingMessage,
  response: ServerResponse,
  operator: OperatorEndpoints | undefined,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const operated = operator?.handle(request.method ?? 'GET', url.pathname, request.headers);
  if (operated) {
    const result = await operated;
    response.writeHead(result.status, result.headers).end(request.method === 'HEAD' ? '' : result.body);
    return;
  }
  const serverApi = url.pathname.startsWith(SERVER_API_PREFIX);
  if (url.pathname !== path && !serverApi) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const limit = serverApi ? server.serverApiMaxBodyBytes : maxBodyBytes;
  const tooLarge = () => (serverApi ? serverApiTooLarge(limit) : payloadTooLarge(limit));
  // A declared length past the limit is refused before reading: waiting for a body that may
  // never come (or draining megabytes) would hold the connection for nothing.
  if (Number(request.headers['content-length'] ?? 0) > limit) {
    const refused = tooLarge();
    // `connection: close`: the socket closes once the answer is written, the unread body with it.
    response.writeHead(refused.status, { ...refused.headers, connection: 'close' }).end(refused.body);
    return;
  }
  const bytes = await readBody(request, limit);
  const body = bytes === null ? null : strictUtf8(bytes);
  const forward = {
    method: request.method ?? 'GET',
    headers: request.headers,
    search: url.search,
    body,
    remoteAddress: request.socket.remoteAddress,
  };
  const result =
    bytes === null
      ? tooLarge()
      : body === null
        ? serverApi
          ? serverApiNotUtf8()
          : notUtf8()
        : serverApi
          ? await server.handleServerApi({ ...forward, pathname: url.pathname })
          : await server.handleHttp(forward);
  response.writeHead(result.status, result.headers).end(result.body);
}

/**
 * The text of `bytes`, or null when they are not UTF-8: a lenient decode would turn them into
 * U+FFFD and silently store text the client never sent, so the client is told instead.
 */
function strictUtf8(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function notUtf8(): HttpResponse {
  return {
    status: 400,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({
      errors: [
        { message: 'the request body is not valid UTF-8', extensions: { code: ErrorCode.BadUserInput } },
      ],
    }),
  };
}

/** The body's bytes, or null once they exceed `maxBytes` (the rest is drained, not kept). */
function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let oversized = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        oversized = true;
        chunks.length = 0;
        return;
      }
      if (!oversized) chunks.push(chunk);
    });
    request.on('end', () => resolve(oversized ? null : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
