/**
 * Serves the built SPA and forwards `/personalize/*` (HTTP and WebSocket upgrades) to the
 * personalize endpoint, so the page and the endpoint share one origin: no CORS, the same relative
 * `/personalize/graphql` URL as in production behind a reverse proxy. Used by `npm run demo` when it
 * runs the standalone GraphQL server, and by the browser tests.
 *
 * Deliberately small: a static file server with an SPA fallback (unknown paths get `index.html`,
 * so client-side routes survive a reload) and a byte-level proxy. Not a production web server.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

/** Where to serve from and where to forward to. */
export interface SpaServerOptions {
  /** The SPA build (`example-site/spa/dist`). */
  root: string;
  /** Origin of the personalize endpoint, e.g. `http://127.0.0.1:4000`. */
  upstream: string;
  /** Path prefix forwarded upstream. Default `/personalize`. */
  prefix?: string;
  port?: number;
  host?: string;
  /**
   * Stands in for the site's own login backend: `POST /demo/identity-assertion {"userId"}` answers
   * `{"assertion"}` for `identify`: a short-lived, single-use JWT signed with the endpoint's
   * identity secret, which only a backend may hold. A real site signs it where its user logs in;
   * the demo has no login, so anyone may be anyone.
   */
  signIdentityAssertion?: (userId: string) => Promise<string>;
}

/** A running SPA server. */
export interface SpaServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts serving; resolves once listening. */
export async function startSpaServer(options: SpaServerOptions): Promise<SpaServer> {
  const root = resolve(options.root);
  const prefix = options.prefix ?? '/personalize';
  const upstream = new URL(options.upstream);
  const index = join(root, 'index.html');
  statSync(index); // fail now, with the path in the error, if the SPA was not built

  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://spa').pathname);
    if (path === ASSERTION_PATH && options.signIdentityAssertion) {
      answerAssertion(req, res, options.signIdentityAssertion);
      return;
    }
    if (path === prefix || path.startsWith(`${prefix}/`)) {
      forward(req, upstream, (status, headers, body) => {
        res.writeHead(status, headers);
        body.pipe(res);
      }).on('error', () => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('personalize endpoint unreachable');
      });
      return;
    }
    // normalize + prefix check: no `..` escapes from the build folder.
    const file = normalize(join(root, path));
    const target = file.startsWith(root + sep) && isFile(file) ? file : index;
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(target)] ?? 'application/octet-stream',
      // Hashed assets may be cached forever; index.html must not be, or a rebuild is never seen.
      'cache-control': target === index ? 'no-cache' : 'public, max-age=31536000, immutable',
    });
    createReadStream(target).pipe(res);
  });

  server.on('upgrade', (req, socket, head) => {
    if (!(req.url ?? '').startsWith(prefix)) {
      socket.destroy();
      return;
    }
    const upstreamSocket = connect(Number(upstream.port || 80), upstream.hostname, () => {
      const headers = Object.entries(req.headers)
        .flatMap(([name, value]) =>
          Array.isArray(value)
            ? value.map((v) => `${name}: ${v}`)
            : value === undefined
              ? []
              : [`${name}: ${value}`],
        )
        .join('\r\n');
      upstreamSocket.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
      if (head.length > 0) upstreamSocket.write(head);
      upstreamSocket.pipe(socket).pipe(upstreamSocket);
    });
    const close = (): void => {
      upstreamSocket.destroy();
      socket.destroy();
    };
    upstreamSocket.on('error', close);
    socket.on('error', close);
    upstreamSocket.on('close', close);
    socket.on('close', close);
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    server,
    close: () =>
      new Promise((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}

/** Where the demo's stand-in login backend answers. */
export const ASSERTION_PATH = '/demo/identity-assertion';

function answerAssertion(
  req: IncomingMessage,
  res: ServerResponse,
  sign: (userId: string) => Promise<string>,
): void {
  const reply = (status: number, body: object): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.method !== 'POST') return reply(405, { error: 'POST {"userId"}' });
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    text += chunk;
    if (text.length > 1024) req.destroy(); // a user id, not a payload
  });
  req.on('end', () => {
    let userId: unknown;
    try {
      userId = (JSON.parse(text) as { userId?: unknown }).userId;
    } catch {
      return reply(400, { error: 'expected JSON {"userId": "..."}' });
    }
    if (typeof userId !== 'string' || userId.trim() === '' || userId.length > 128)
      return reply(400, { error: 'userId must be a non-empty string of at most 128 characters' });
    sign(userId).then(
      (assertion) => reply(200, { assertion }),
      () => reply(500, { error: 'could not sign the identity assertion' }),
    );
  });
}

function forward(
  req: IncomingMessage,
  upstream: URL,
  respond: (status: number, headers: IncomingMessage['headers'], body: IncomingMessage) => void,
) {
  const outgoing = request(
    {
      host: upstream.hostname,
      port: upstream.port || 80,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: upstream.host },
    },
    (response) => respond(response.statusCode ?? 502, response.headers, response),
  );
  req.pipe(outgoing);
  return outgoing;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
