/**
 * The standalone wiring of `server/standalone.ts`, in this process: metrics on a registry of their
 * own, a Personalizer and the GraphQL server both reporting to them, the operator endpoints and
 * node:http on a free port, over a private copy of the fixture content. Logs go through the
 * standalone's JSON logger into memory, so a test can read every line that would have been
 * written (and the raw arguments it was given).
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { Client } from 'graphql-ws';
import type { Personalizer } from '../../../engine/types';
import type { Logger, PersonalizeServer } from '../../../server';
import { createOperatorEndpoints } from '../../../server/health';
import { jsonLogger } from '../../../server/logger';
import { createMetrics, type PersonalizeMetrics } from '../../../server/metrics';
import { generousLimits, PATH, startStack, type Stack } from '../../support/stack';

export interface StackOptions {
  /** Redis URL; omitted = the embedded store. */
  redis?: string;
  /** Shared by two instances of one cluster; default a fresh one. */
  keyPrefix?: string;
  /** Token of the metrics endpoint; omitted = disabled. */
  metricsToken?: string;
  readyTimeoutMs?: number;
}

export interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** Generous `track` limits: tests send several batches from one address. */
const LIMITS = generousLimits(10_000);

export class OperatorStack {
  readonly personalizer: Personalizer;
  readonly server: PersonalizeServer;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;

  private constructor(
    readonly metrics: PersonalizeMetrics,
    /** Every line the JSON logger wrote. */
    readonly lines: readonly string[],
    /** The arguments each log call received, before rendering. */
    readonly rawCalls: readonly unknown[][],
    private readonly stack: Stack,
  ) {
    this.personalizer = stack.personalizer;
    this.server = stack.server;
    this.baseUrl = stack.baseUrl;
  }

  static async start(options: StackOptions = {}): Promise<OperatorStack> {
    const lines: string[] = [];
    const rawCalls: unknown[][] = [];
    const json = jsonLogger((_level, line) => lines.push(line));
    const keep =
      (level: keyof Logger) =>
      (...args: unknown[]): void => {
        rawCalls.push(args);
        json[level](...args);
      };
    const logger: Logger = { info: keep('info'), warn: keep('warn'), error: keep('error') };
    const metrics = createMetrics();
    const stack = await startStack({
      ...(options.redis ? { redis: options.redis } : {}),
      ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
      keyPrefixStart: 'op',
      contentDirPrefix: 'pz-operators-',
      logger,
      personalizer: { pollIntervalMs: 20, observer: metrics.observer },
      server: { limits: LIMITS, observer: metrics.observer },
      routes: ({ personalizer, server }) => {
        metrics.watch(server);
        return createOperatorEndpoints({
          personalizer: () => personalizer,
          metrics,
          ...(options.metricsToken ? { metricsToken: options.metricsToken } : {}),
          ...(options.readyTimeoutMs ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
        });
      },
    });
    return new OperatorStack(metrics, lines, rawCalls, stack);
  }

  /**
   * POSTs a GraphQL operation over node:http, from `localAddress` when given (any 127.x.y.z
   * address is the loopback: a test can tell its own address apart from Redis's).
   */
  gql(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
    localAddress?: string,
  ): Promise<GraphQLAnswer> {
    const body = JSON.stringify({ query, variables });
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        `${this.baseUrl}${PATH}`,
        {
          method: 'POST',
          ...(localAddress ? { localAddress } : {}),
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve(JSON.parse(text) as GraphQLAnswer));
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  async session(localAddress?: string): Promise<{ token: string; profileId: string }> {
    const answer = await this.gql(
      'mutation { startSession { token profileId } }',
      {},
      undefined,
      localAddress,
    );
    return (answer.data as { startSession: { token: string; profileId: string } }).startSession;
  }

  /** Tracks `Article Viewed` events with `properties`; returns the answer. */
  track(
    token: string | undefined,
    events: Array<{ id?: string; properties?: Record<string, unknown> }>,
    localAddress?: string,
  ): Promise<GraphQLAnswer> {
    return this.gql(
      'mutation($events: [EventInput!]!) { track(events: $events) { accepted duplicates entered } }',
      {
        events: events.map((event) => ({
          id: event.id ?? randomUUID(),
          type: 'Article Viewed',
          properties: event.properties ?? { category: 'news' },
        })),
      },
      token,
      localAddress,
    );
  }

  /** GET on an operator path, with a bearer token when given. */
  get(path: string, bearer?: string): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
    });
  }

  /** A graphql-ws client with `token` (disposed at close). */
  client(token: string): Client {
    return this.stack.client(token);
  }

  close(): Promise<void> {
    return this.stack.close();
  }
}

/**
 * The value of one sample of a Prometheus exposition: `name` with exactly `labels` (in any order),
 * or undefined when absent.
 */
export function sample(
  exposition: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const wanted = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .sort()
    .join(',');
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = (match[2] ?? '')
      .split(',')
      .filter((pair) => pair !== '')
      .sort()
      .join(',');
    if (found === wanted) return Number(match[3]);
  }
  return undefined;
}

/** Polls `check` until it returns true, or fails after `timeoutMs` with `what`. */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
