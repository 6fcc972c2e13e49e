/**
 * The operator endpoints, framework-neutral like `handleHttp` (the node:http adapter and the
 * Strapi plugin's routes both serve them):
 *
 *   GET /personalize/health   liveness: the process answers (200), nothing else is checked, so a
 *                             Redis outage never gets healthy instances restarted
 *   GET /personalize/ready    readiness: the profile store answers PING within `readyTimeoutMs`
 *                             (200), else 503 with a JSON reason: take the instance out of rotation
 *   GET /personalize/metrics  Prometheus exposition, with `Authorization: Bearer <metrics token>`
 *                             (401 without it); 404 when no token is configured (disabled)
 *
 * None of them needs a profile token, and none says more than it must: readiness reports a fixed
 * reason, never a Redis address or error text.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Personalizer } from '../engine/types';
import type { HttpRequest, HttpResponse } from './http';
import type { PersonalizeMetrics } from './metrics';

export const OPERATOR_PATHS = {
  health: '/personalize/health',
  ready: '/personalize/ready',
  metrics: '/personalize/metrics',
} as const;

export interface OperatorOptions {
  /** The running personalizer, or null while not started or shutting down (not ready). */
  personalizer(): Pick<Personalizer, 'ping'> | null;
  /** Served on the metrics endpoint when `metricsToken` is set too. */
  metrics?: PersonalizeMetrics;
  /** Bearer token of the metrics endpoint; unset or empty = the endpoint is disabled (404). */
  metricsToken?: string;
  /** How long readiness waits for Redis to answer PING (ms); default 1000. */
  readyTimeoutMs?: number;
}

export interface OperatorEndpoints {
  health(): HttpResponse;
  ready(): Promise<HttpResponse>;
  metrics(headers: HttpRequest['headers']): Promise<HttpResponse>;
  /** Serves `pathname` if it is an operator path (GET or HEAD), else returns null. */
  handle(method: string, pathname: string, headers: HttpRequest['headers']): Promise<HttpResponse> | null;
}

/** Why an instance is not ready (the `reason` of the 503 body). */
export type NotReadyReason = 'not-running' | 'redis-timeout' | 'redis-error';

const NOT_READY: Record<NotReadyReason, string> = {
  'not-running': 'the personalizer is not running (starting or shutting down)',
  'redis-timeout': 'Redis did not answer PING in time',
  'redis-error': 'Redis refused PING or could not be reached',
};

const NO_STORE = { 'cache-control': 'no-store' };

function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    status,
    headers: { ...NO_STORE, 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Whether `headers` carry `Authorization: Bearer <expected>` (compared in constant time). */
function bearerMatches(headers: HttpRequest['headers'], expected: string): boolean {
  const header = headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), digest(expected));
}

/** Resolves with the outcome of `ping`, or `redis-timeout` once `timeoutMs` passed. */
async function pingWithin(ping: () => Promise<void>, timeoutMs: number): Promise<NotReadyReason | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<NotReadyReason>((resolve) => {
    timer = setTimeout(() => resolve('redis-timeout'), timeoutMs);
  });
  try {
    return await Promise.race([
      ping().then(
        () => null,
        (): NotReadyReason => 'redis-error',
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function createOperatorEndpoints(options: OperatorOptions): OperatorEndpoints {
  const readyTimeoutMs = options.readyTimeoutMs ?? 1000;
  if (!Number.isFinite(readyTimeoutMs) || readyTimeoutMs <= 0)
    throw new TypeError('readyTimeoutMs must be a positive number of milliseconds');
  const token = options.metricsToken || undefined;

  const endpoints: OperatorEndpoints = {
    health: () => json(200, { status: 'ok' }),

    async ready() {
      const personalizer = options.personalizer();
      const ping = personalizer?.ping?.bind(personalizer);
      const reason = !personalizer ? 'not-running' : ping ? await pingWithin(ping, readyTimeoutMs) : null;
      if (reason === null) return json(200, { status: 'ready' });
      return json(503, { status: 'unavailable', reason, message: NOT_READY[reason] });
    },

    async metrics(headers) {
      if (!token || !options.metrics)
        return json(404, { error: 'metrics are disabled: no metrics token is configured' });
      if (!bearerMatches(headers, token))
        return json(
          401,
          { error: 'send the metrics token as "Authorization: Bearer <token>"' },
          { 'www-authenticate': 'Bearer realm="personalize-metrics"' },
        );
      const { contentType, body } = await options.metrics.scrape();
      return { status: 200, headers: { ...NO_STORE, 'content-type': contentType }, body };
    },

    handle(method, pathname, headers) {
      const route =
        pathname === OPERATOR_PATHS.health
          ? async () => endpoints.health()
          : pathname === OPERATOR_PATHS.ready
            ? endpoints.ready
            : pathname === OPERATOR_PATHS.metrics
              ? () => endpoints.metrics(headers)
              : null;
      if (!route) return null;
      const verb = method.toUpperCase();
      if (verb !== 'GET' && verb !== 'HEAD')
        return Promise.resolve(json(405, { error: 'use GET' }, { allow: 'GET, HEAD' }));
      return route();
    },
  };
  return endpoints;
}
