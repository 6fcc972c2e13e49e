/**
 * The node:http adapter: reads the body (refusing it past the size limit without buffering more),
 * hands the request to `handleHttp`, writes the response. Requests on other paths get 404.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { payloadTooLarge } from './http';
import type { PersonalizeServer } from './index';

/** A request listener serving `server` on `path`. */
export function nodeHttpHandler(
  server: PersonalizeServer,
  path: string,
  maxBodyBytes: number,
): RequestListener {
  return (request, response) => {
    void serve(server, path, maxBodyBytes, request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ errors: [{ message: 'internal server error' }] }));
      console.error('personalize: HTTP request failed', error);
    });
  };
}

async function serve(
  server: PersonalizeServer,
  path: string,
  maxBodyBytes: number,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname !== path) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const body = await readBody(request, maxBodyBytes);
  const result =
    body === null
      ? payloadTooLarge(maxBodyBytes)
      : await server.handleHttp({
          method: request.method ?? 'GET',
          headers: request.headers,
          search: url.search,
          body,
          remoteAddress: request.socket.remoteAddress,
        });
  response.writeHead(result.status, result.headers).end(result.body);
}

/** The body as text, or null once it exceeds `maxBytes` (the rest is drained, not kept). */
function readBody(request: IncomingMessage, maxBytes: number): Promise<string | null> {
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
    request.on('end', () => resolve(oversized ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
