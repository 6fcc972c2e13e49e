/**
 * The endpoint in this process for fault tests: a Personalizer on a Redis the test owns (and
 * breaks), the server over a private copy of the fixture content, node:http on a free port. Logs
 * are kept, not printed: a test reads them (an outage is expected to log connection warnings;
 * an unexpected error inside a GraphQL operation is a failure).
 */
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { JsonContentSource } from '../../../content/json-source';
import { createPersonalizer } from '../../../engine';
import type { Personalizer } from '../../../engine/types';
import { createPersonalizeServer, type PersonalizeServer } from '../../../server';
import { resolveLimits } from '../../../server/limits';
import { nodeHttpHandler } from '../../../server/node-http';
import { FIXTURES, fixtureRules, IDENTITY_SECRET, PATH, SECRET } from '../../graphql/support/harness';

/** One GraphQL answer over HTTP. */
export interface Answer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
}

/** Generous `track` limits: fault tests send streams of events from one address. */
const LIMITS = {
  trackPerProfile: { burst: 100_000, perSecond: 100_000 },
  trackPerIp: { burst: 100_000, perSecond: 100_000 },
  startSessionPerIp: { burst: 100_000, perSecond: 100_000 },
};

export class Stack {
  private readonly clients: Client[] = [];

  private constructor(
    /** Every line logged at error level (warnings are expected during an outage and not kept). */
    readonly errors: readonly string[],
    /** Prefix of this stack's Redis keys. */
    readonly keyPrefix: string,
    readonly personalizer: Personalizer,
    readonly server: PersonalizeServer,
    private readonly http: Server,
    private readonly content: JsonContentSource,
    private readonly contentDir: string,
    readonly url: string,
    readonly wsUrl: string,
  ) {}

  static async start(redisUrl: string): Promise<Stack> {
    const errors: string[] = [];
    const logger = {
      info() {},
      warn() {},
      error: (...parts: unknown[]) => errors.push(parts.map(String).join(' ')),
    };
    const keyPrefix = `f${randomUUID().slice(0, 8)}`;
    const contentDir = mkdtempSync(join(tmpdir(), 'pz-faults-content-'));
    cpSync(FIXTURES, contentDir, { recursive: true });
    const personalizer = await createPersonalizer({
      rules: fixtureRules(),
      redis: redisUrl,
      keyPrefix,
      logger,
    });
    await personalizer.start();
    const content = new JsonContentSource(contentDir);
    const server = createPersonalizeServer({
      personalizer,
      content,
      tokens: { secrets: [SECRET] },
      identity: { secrets: [IDENTITY_SECRET] },
      limits: LIMITS,
      logger,
    });
    await server.start();
    const http = createServer(nodeHttpHandler(server, PATH, resolveLimits(LIMITS).maxBodyBytes));
    const sockets = new Set<Socket>();
    http.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    http.once('close', () => sockets.forEach((socket) => socket.destroy()));
    server.attach(http);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    return new Stack(
      errors,
      keyPrefix,
      personalizer,
      server,
      http,
      content,
      contentDir,
      `http://127.0.0.1:${port}${PATH}`,
      `ws://127.0.0.1:${port}${PATH}`,
    );
  }

  /** POSTs an operation with the caller's token. */
  gql(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<Answer> {
    return postGraphQL(this.url, query, variables, token);
  }

  async session(): Promise<string> {
    return (await this.visitor()).token;
  }

  /** A new anonymous visitor: token and profile id. */
  async visitor(): Promise<{ token: string; profileId: string }> {
    const answer = await this.gql('mutation { startSession { token profileId } }');
    return (answer.data as { startSession: { token: string; profileId: string } }).startSession;
  }

  /** A graphql-ws client for `token`, disposed with the stack. */
  client(token: string): Client {
    const client = createClient({
      url: this.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { token },
      retryAttempts: 0,
    });
    this.clients.push(client);
    return client;
  }

  async close(): Promise<void> {
    for (const client of this.clients) await client.dispose();
    await this.server.close();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.emit('close');
    });
    await this.personalizer.close();
    this.content.close();
    rmSync(this.contentDir, { recursive: true, force: true });
  }
}

/** POSTs a GraphQL operation to `url`. */
export async function postGraphQL(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Answer;
}

export const TRACK = 'mutation($events: [EventInput!]!) { track(events: $events) { accepted duplicates } }';

/** A news article view with a fresh id (the fixtures' `reader` and `breaking-news` count these). */
export function newsView(): { id: string; type: string; properties: { category: string } } {
  return { id: randomUUID(), type: 'Article Viewed', properties: { category: 'news' } };
}

/** The first error code of an answer, if any. */
export function errorCode(answer: Answer): string | undefined {
  return answer.errors?.[0]?.extensions?.code as string | undefined;
}
