/**
 * One in-process personalize stack for tests: a Personalizer (the private test Redis or the
 * embedded store, a unique key prefix), the JSON content source over a private copy of the
 * fixtures (or a shared directory), the GraphQL server, node:http on a free loopback port, and the
 * WebSocket clients a test opens. `close()` disposes everything it started, in reverse order (as
 * graphql-ws's tests/utils/tservers.ts does). The suites' own stacks (test/graphql/support/harness.ts,
 * test/faults/support/stack.ts, test/operators/support/stack.ts) add their helpers on top of it.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { JsonContentSource } from '../../content/json-source';
import { createPersonalizer, type PersonalizerOptions } from '../../engine';
import type { Personalizer, RuleSetSource } from '../../engine/types';
import { createPersonalizeServer, type PersonalizeServer, type PersonalizeServerOptions } from '../../server';
import type { OperatorEndpoints } from '../../server/health';
import { resolveLimits } from '../../server/limits';
import { nodeHttpHandler } from '../../server/node-http';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'content');
export const SECRET = 'test-secret-0123456789-abcdefghijklmnop';
/** The identity assertion secret of test servers (never a token secret). */
export const IDENTITY_SECRET = 'test-identity-secret-0123456789-abcdefgh';
export const PATH = '/personalize/graphql';
export const quietLogger = { info() {}, warn() {}, error: console.error };

/** `track` and `startSession` limits of `n` a second (burst `n`): for tests sending many calls from one address. */
export function generousLimits(n: number) {
  const rate = { burst: n, perSecond: n };
  return { trackPerProfile: rate, trackPerIp: rate, startSessionPerIp: rate };
}

export function fixtureRules(): RuleSetSource {
  return JSON.parse(readFileSync(join(FIXTURES, 'rules.json'), 'utf8')) as RuleSetSource;
}

/** One GraphQL answer over HTTP, with its status and headers. */
export interface GraphQLResponse {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
  headers: Headers;
}

/** POSTs a GraphQL operation to `url`; `token` as bearer when given. */
export async function postGraphQL(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string | null,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  const body = (text ? JSON.parse(text) : {}) as Omit<GraphQLResponse, 'status' | 'headers'>;
  return { status: response.status, headers: response.headers, ...body };
}

export interface StackOptions {
  /** Redis URL; omitted = the embedded store. */
  redis?: string;
  /** Shared by two instances of one cluster; default `<keyPrefixStart>` and 8 random characters. */
  keyPrefix?: string;
  /** Start of a fresh key prefix (default `t`). */
  keyPrefixStart?: string;
  rules?: RuleSetSource;
  /** A content directory to share (two instances on one CMS); default a private copy of the fixtures. */
  contentDir?: string;
  /** Start of the private content directory's name. */
  contentDirPrefix?: string;
  logger?: PersonalizeServerOptions['logger'];
  /** Personalizer options beyond rules, Redis, key prefix and logger. */
  personalizer?: Partial<Omit<PersonalizerOptions, 'rules' | 'redis' | 'keyPrefix' | 'logger'>>;
  /** Server options beyond the personalizer and content; tokens and identity default to the test secrets. */
  server?: Partial<Omit<PersonalizeServerOptions, 'personalizer' | 'content'>>;
  /** Other routes node:http serves, given the started server (operator endpoints). */
  routes?: (parts: { personalizer: Personalizer; server: PersonalizeServer }) => OperatorEndpoints;
}

export interface Stack {
  readonly personalizer: Personalizer;
  readonly content: JsonContentSource;
  readonly server: PersonalizeServer;
  readonly http: Server;
  readonly keyPrefix: string;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** `http://127.0.0.1:<port>/personalize/graphql` */
  readonly url: string;
  readonly wsUrl: string;
  /** A graphql-ws client, disposed at close. */
  client(
    token: string | undefined,
    options?: { lazy?: boolean; retryAttempts?: number; retryWait?: () => Promise<void> },
  ): Client;
  /** A raw WebSocket speaking graphql-transport-ws, terminated at close. */
  raw(): WebSocket;
  close(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const disposals: Array<() => unknown> = [];
  try {
    return await build(options, disposals);
  } catch (error) {
    await dispose(disposals);
    throw error;
  }
}

async function dispose(disposals: Array<() => unknown>): Promise<void> {
  while (disposals.length > 0) await disposals.pop()!();
}

async function build(options: StackOptions, disposals: Array<() => unknown>): Promise<Stack> {
  const logger = options.logger ?? quietLogger;
  let contentDir = options.contentDir;
  if (!contentDir) {
    const owned = mkdtempSync(join(tmpdir(), options.contentDirPrefix ?? 'pz-content-'));
    disposals.push(() => rmSync(owned, { recursive: true, force: true }));
    cpSync(FIXTURES, owned, { recursive: true });
    contentDir = owned;
  }
  const keyPrefix = options.keyPrefix ?? `${options.keyPrefixStart ?? 't'}${randomUUID().slice(0, 8)}`;
  const personalizer = await createPersonalizer({
    rules: options.rules ?? fixtureRules(),
    ...(options.redis ? { redis: options.redis } : {}),
    keyPrefix,
    logger,
    ...options.personalizer,
  });
  disposals.push(() => personalizer.close());
  await personalizer.start();
  const content = new JsonContentSource(contentDir);
  disposals.push(() => content.close());
  const server = createPersonalizeServer({
    personalizer,
    content,
    tokens: { secrets: [SECRET] },
    identity: { secrets: [IDENTITY_SECRET] },
    logger,
    ...options.server,
  });
  await server.start();
  const maxBodyBytes = resolveLimits(options.server?.limits).maxBodyBytes;
  const http = createServer(
    nodeHttpHandler(server, PATH, maxBodyBytes, options.routes?.({ personalizer, server })),
  );
  // Every TCP connection, upgraded or not, so close() never waits on one.
  const connections = new Set<Socket>();
  http.on('connection', (socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  http.once('close', () => connections.forEach((socket) => socket.destroy()));
  disposals.push(async () => {
    await server.close();
    if (!http.listening) return;
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeAllConnections();
    http.emit('close');
    await closed;
  });
  server.attach(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const wsUrl = `ws://127.0.0.1:${port}${PATH}`;
  return {
    personalizer,
    content,
    server,
    http,
    keyPrefix,
    baseUrl,
    url: `${baseUrl}${PATH}`,
    wsUrl,
    client(token, clientOptions = {}) {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        lazy: clientOptions.lazy ?? true,
        retryAttempts: clientOptions.retryAttempts ?? 0,
        ...(clientOptions.retryWait ? { retryWait: clientOptions.retryWait } : {}),
        connectionParams: token === undefined ? undefined : { token },
      });
      disposals.push(() => client.dispose());
      return client;
    },
    raw() {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
      disposals.push(() => socket.terminate());
      return socket;
    },
    close: () => dispose(disposals),
  };
}
