/**
 * The endpoint in this process for fault tests: a Personalizer on a Redis the test owns (and
 * breaks), the server over a private copy of the fixture content, node:http on a free port. Logs
 * are kept, not printed: a test reads them (an outage is expected to log connection warnings;
 * an unexpected error inside a GraphQL operation is a failure).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import type { Personalizer } from '../../../engine/types';
import type { PersonalizeServer } from '../../../server';
import { RedisProcess } from './redis-process';
import {
  generousLimits,
  postGraphQL,
  startStack,
  type GraphQLResponse,
  type Stack as BaseStack,
} from '../../support/stack';

export { postGraphQL } from '../../support/stack';

/** One GraphQL answer over HTTP. */
export type Answer = Omit<GraphQLResponse, 'status' | 'headers'>;

/** Generous `track` limits: fault tests send streams of events from one address. */
const LIMITS = generousLimits(100_000);

export class Stack {
  /** Prefix of this stack's Redis keys. */
  readonly keyPrefix: string;
  readonly personalizer: Personalizer;
  readonly server: PersonalizeServer;
  readonly url: string;
  readonly wsUrl: string;

  private constructor(
    /** Every line logged at error level (warnings are expected during an outage and not kept). */
    readonly errors: readonly string[],
    private readonly stack: BaseStack,
  ) {
    this.keyPrefix = stack.keyPrefix;
    this.personalizer = stack.personalizer;
    this.server = stack.server;
    this.url = stack.url;
    this.wsUrl = stack.wsUrl;
  }

  static async start(redisUrl: string): Promise<Stack> {
    const errors: string[] = [];
    const logger = {
      info() {},
      warn() {},
      error: (...parts: unknown[]) => errors.push(parts.map(String).join(' ')),
    };
    const stack = await startStack({
      redis: redisUrl,
      keyPrefixStart: 'f',
      contentDirPrefix: 'pz-faults-content-',
      logger,
      server: { limits: LIMITS },
    });
    return new Stack(errors, stack);
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
    return this.stack.client(token);
  }

  close(): Promise<void> {
    return this.stack.close();
  }
}

/**
 * A redis-server of the test's own and a stack on it, with the process's unhandled rejections
 * pushed to `unhandled` until `close` (which stops both).
 */
export async function startOnOwnRedis(
  unhandled: unknown[],
): Promise<{ redis: RedisProcess; stack: Stack; close(): Promise<void> }> {
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const redis = await RedisProcess.start();
  const stack = await Stack.start(redis.url);
  return {
    redis,
    stack,
    async close() {
      await stack.close();
      await redis.destroy();
      process.off('unhandledRejection', onUnhandled);
    },
  };
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
