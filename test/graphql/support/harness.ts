/**
 * A real personalize server for tests: a Personalizer on the private test Redis (unique key
 * prefix) or the embedded store, the JSON content source over a private copy of the fixtures
 * (so a test can edit and "publish"), node:http on a free port, and WebSocket clients.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Client } from 'graphql-ws';
import type WebSocket from 'ws';
import type { JsonContentSource } from '../../../content/json-source';
import type { ContentDocument } from '../../../content/types';
import type { Personalizer, RuleSetSource } from '../../../engine/types';
import {
  signIdentityAssertion,
  type PersonalizeServer,
  type PersonalizeServerOptions,
  type SignIdentityAssertionOptions,
} from '../../../server';
import {
  IDENTITY_SECRET,
  postGraphQL,
  startStack,
  type GraphQLResponse,
  type Stack,
} from '../../support/stack';

export { FIXTURES, fixtureRules, IDENTITY_SECRET, PATH, quietLogger, SECRET } from '../../support/stack';
export type { GraphQLResponse } from '../../support/stack';

/** An identity assertion for `userId`, as a site backend signs it (see server/identity.ts). */
export function assertionFor(
  userId: string,
  extra: Omit<SignIdentityAssertionOptions, 'userId' | 'secret'> = {},
): Promise<string> {
  return signIdentityAssertion({ userId, secret: IDENTITY_SECRET, ...extra });
}

/** `identify` with an assertion; the token it returns in `session`, the profile in `profile`. */
export const IDENTIFY =
  'mutation($a: String!, $t: JSON) { identify(assertion: $a, traits: $t) { session { token profileId expiresAt } profile { id userId traits clientTraits segments { key } } } }';
/**
 * Every test client comes from 127.0.0.1, and a test starts many sessions: the per-address
 * session limit is widened unless a test sets it (test/attack/limits.test.ts tests the default).
 */
export const TEST_RATES = { startSessionPerIp: { burst: 100_000, perSecond: 100_000 } };

export interface TestServerOptions {
  /** Redis URL; omitted = the embedded store. */
  redis?: string;
  keyPrefix?: string;
  rules?: RuleSetSource;
  /** A content directory to share (two instances on one CMS); default a private copy of the fixtures. */
  contentDir?: string;
  server?: Partial<Omit<PersonalizeServerOptions, 'personalizer' | 'content'>>;
}

export class TestServer {
  readonly personalizer: Personalizer;
  readonly content: JsonContentSource;
  readonly server: PersonalizeServer;
  readonly http: Server;
  readonly url: string;
  readonly wsUrl: string;
  private constructor(private readonly stack: Stack) {
    this.personalizer = stack.personalizer;
    this.content = stack.content;
    this.server = stack.server;
    this.http = stack.http;
    this.url = stack.url;
    this.wsUrl = stack.wsUrl;
  }

  static async start(options: TestServerOptions = {}): Promise<TestServer> {
    const stack = await startStack({
      ...(options.redis ? { redis: options.redis } : {}),
      ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
      ...(options.rules ? { rules: options.rules } : {}),
      ...(options.contentDir ? { contentDir: options.contentDir } : {}),
      personalizer: { pollIntervalMs: 20 },
      server: { ...options.server, limits: { ...TEST_RATES, ...options.server?.limits } },
    });
    return new TestServer(stack);
  }

  /** Directory of the content files this server reads. */
  get contentDir(): string {
    return this.content.directory;
  }

  /** POSTs an operation; `token` as bearer when given. */
  gql(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string | null,
    headers: Record<string, string> = {},
  ): Promise<GraphQLResponse> {
    return postGraphQL(this.url, query, variables, token, headers);
  }

  /** A new anonymous session's token and profile id. */
  async session(): Promise<{ token: string; profileId: string }> {
    const result = await this.gql('mutation { startSession { token profileId } }');
    return (result.data as { startSession: { token: string; profileId: string } }).startSession;
  }

  /** Tracks `Article Viewed` events (news by default); returns the track result. */
  async view(token: string, count: number, category = 'news'): Promise<GraphQLResponse> {
    const events = Array.from({ length: count }, () => ({
      id: randomUUID(),
      type: 'Article Viewed',
      properties: { category },
    }));
    return this.gql(
      'mutation($events: [EventInput!]!) { track(events: $events) { accepted entered exited } }',
      { events },
      token,
    );
  }

  /** A graphql-ws client authenticated with `token` (closed with the server). */
  client(token: string | undefined, options: { lazy?: boolean; retryAttempts?: number } = {}): Client {
    return this.stack.client(token, {
      ...options,
      retryWait: () => new Promise((resolve) => setTimeout(resolve, 200)),
    });
  }

  /** A raw WebSocket speaking graphql-transport-ws, for close-code tests. */
  raw(): WebSocket {
    return this.stack.raw();
  }

  /** Rewrites one content type's documents in documents.json (what publishing does in the CMS). */
  editDocuments(uid: string, edit: (documents: ContentDocument[]) => ContentDocument[]): void {
    const file = join(this.contentDir, 'documents.json');
    const all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, ContentDocument[]>;
    all[uid] = edit(all[uid] ?? []);
    writeFileSync(file, JSON.stringify(all));
  }

  /** Publishes 400 more articles of ~2.5 KB each (a list of every article is ~1 MB), for large results. */
  async addBulkArticles(): Promise<void> {
    this.editDocuments('api::article.article', (documents) => [
      ...documents,
      ...Array.from({ length: 400 }, (_, index) => ({
        documentId: `bulk-${index}`,
        locale: null,
        publishedAt: '2026-01-01T00:00:00.000Z',
        title: `Bulk ${index}`,
        slug: `bulk-${index}`,
        category: 'tech',
        summary: 'x'.repeat(2500),
        segments: [],
      })),
    ]);
    await this.server.refreshContent({ kind: 'documents', uid: 'api::article.article' });
  }

  close(): Promise<void> {
    return this.stack.close();
  }
}

/** A subscription's pushes, read one at a time with a deadline. */
export class Pushes<T = Record<string, unknown>> {
  private readonly received: Array<{ data?: T | null; errors?: unknown[] }> = [];
  private waiter: (() => void) | null = null;
  completed = false;
  error: unknown = null;
  readonly unsubscribe: () => void;

  constructor(client: Client, query: string, variables: Record<string, unknown> = {}) {
    this.unsubscribe = client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          this.received.push(value as { data?: T | null; errors?: unknown[] });
          this.waiter?.();
        },
        error: (error) => {
          this.error = error;
          this.waiter?.();
        },
        complete: () => {
          this.completed = true;
          this.waiter?.();
        },
      },
    );
  }

  /** Number of pushes not read yet. */
  get pending(): number {
    return this.received.length;
  }

  /** The next push, or throws after `timeoutMs`. */
  async next(timeoutMs = 5000): Promise<{ data?: T | null; errors?: unknown[] }> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length === 0) {
      if (this.error) throw new Error(`subscription failed: ${describe(this.error)}`);
      if (this.completed) throw new Error('subscription completed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no push within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
    return this.received.shift()!;
  }

  /** The next push's data (fails on errors). */
  async nextData(timeoutMs = 5000): Promise<T> {
    const push = await this.next(timeoutMs);
    if (push.errors) throw new Error(`push with errors: ${JSON.stringify(push.errors)}`);
    return push.data as T;
  }

  /** Asserts nothing arrives for `ms`. */
  async nothingFor(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (this.received.length > 0) throw new Error(`unexpected push: ${JSON.stringify(this.received[0])}`);
  }
}

function describe(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error) {
    const { code, reason } = error as { code: number; reason: string };
    return `closed ${code} ${reason}`;
  }
  return error instanceof Error ? error.message : JSON.stringify(error);
}

/** Waits for the close event of a raw socket. */
export function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
}
