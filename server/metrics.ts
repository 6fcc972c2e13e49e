/**
 * Prometheus metrics of one personalize server, on a registry of its own (never prom-client's
 * global one, so two servers in one process, or a host app's own metrics, never collide). The
 * engine and the GraphQL layer only call the `observer` callbacks; this module owns prom-client.
 *
 *   const metrics = createMetrics();
 *   const personalizer = await createPersonalizer({ rules, redis, observer: metrics.observer });
 *   const server = createPersonalizeServer({ personalizer, content, tokens, observer: metrics.observer });
 *   metrics.watch(server);                  // gauges read at scrape time
 *   const { contentType, body } = await metrics.scrape();
 *
 * Names follow the Prometheus conventions (base units, `_total` counters); see "Operating it" in
 * the root README for what each one means and which alerts to set.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PersonalizeServer } from './index';
import type { ServerObserver } from './observer';

export interface PersonalizeMetrics {
  readonly registry: Registry;
  /** Pass to `createPersonalizer({ observer })` and `createPersonalizeServer({ observer })`. */
  readonly observer: ServerObserver;
  /** Reads the gauges (sockets, subscriptions) from `server` at each scrape; returns the unwatch. */
  watch(server: Pick<PersonalizeServer, 'stats'>): () => void;
  /** The exposition text and its content type. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event loop lag, GC; prom-client's defaults); default on. */
  processMetrics?: boolean;
}

/** Rule evaluation takes micro- to milliseconds. */
const EVALUATION_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];
/** A push should arrive well within a second (the design's promise). */
const PUSH_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(options: MetricsOptions = {}): PersonalizeMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const servers = new Set<Pick<PersonalizeServer, 'stats'>>();
  const sum = (key: 'sockets' | 'subscriptions'): number =>
    [...servers].reduce((total, server) => total + server.stats()[key], 0);

  const accepted = new Counter({
    name: 'personalize_events_accepted_total',
    help: 'Events stored by track.',
    registers,
  });
  const ignored = new Counter({
    name: 'personalize_events_ignored_total',
    help: 'Events acknowledged by track but not stored: duplicate (id already seen), no_consent.',
    labelNames: ['reason'] as const,
    registers,
  });
  const refused = new Counter({
    name: 'personalize_events_refused_total',
    help: 'Events of refused track calls, by reason.',
    labelNames: ['reason'] as const,
    registers,
  });
  const operationsRefused = new Counter({
    name: 'personalize_operations_refused_total',
    help: 'Calls refused by their rate limit, by operation (startSession, track, identify, setConsent, forgetMe, me).',
    labelNames: ['operation', 'reason'] as const,
    registers,
  });
  const evaluation = new Histogram({
    name: 'personalize_rule_evaluation_seconds',
    help: 'Time to evaluate every segment rule for one profile.',
    buckets: EVALUATION_BUCKETS,
    registers,
  });
  const entered = new Counter({
    name: 'personalize_memberships_entered_total',
    help: 'Profiles that entered a segment (counted once per cluster, where committed).',
    labelNames: ['segment'] as const,
    registers,
  });
  const exited = new Counter({
    name: 'personalize_memberships_exited_total',
    help: 'Profiles that left a segment (counted once per cluster, where committed).',
    labelNames: ['segment'] as const,
    registers,
  });
  const push = new Histogram({
    name: 'personalize_push_latency_seconds',
    help: 'From the commit of a membership change to the frame handed to the WebSocket.',
    buckets: PUSH_BUCKETS,
    registers,
  });
  const redisErrors = new Counter({
    name: 'personalize_redis_errors_total',
    help: 'Errors reported by the Redis client (connection refused, lost, timed out).',
    registers,
  });
  const dueFailures = new Counter({
    name: 'personalize_due_failures_total',
    help: 'Time-based re-evaluations of due profiles that failed (each is retried with a back-off).',
    registers,
  });
  const dueGivenUp = new Counter({
    name: 'personalize_due_given_up_total',
    help: 'Due profiles dropped from the due-set after failing every attempt (re-evaluated on their next event or read).',
    registers,
  });
  const clockSkew = new Gauge({
    name: 'personalize_clock_skew_seconds',
    help: "This instance's clock minus Redis TIME (positive: ahead), measured at start and every minute.",
    registers,
  });
  new Gauge({
    name: 'personalize_live_subscriptions',
    help: 'Open subscriptions (live queries and segmentsChanged) on this instance.',
    registers,
    collect() {
      this.set(sum('subscriptions'));
    },
  });
  new Gauge({
    name: 'personalize_websocket_connections',
    help: 'Open WebSocket connections on this instance.',
    registers,
    collect() {
      this.set(sum('sockets'));
    },
  });

  const observer: ServerObserver = {
    onEvaluate: (ms) => evaluation.observe(ms / 1000),
    onMembershipChange(change) {
      for (const segment of change.entered) entered.inc({ segment });
      for (const segment of change.exited) exited.inc({ segment });
    },
    onRedisError: () => redisErrors.inc(),
    onDueFailure(gaveUp) {
      dueFailures.inc();
      if (gaveUp) dueGivenUp.inc();
    },
    onClockSkew: (seconds) => clockSkew.set(seconds),
    onTrack({ accepted: stored, duplicates, withheld }) {
      if (stored > 0) accepted.inc(stored);
      if (duplicates > 0) ignored.inc({ reason: 'duplicate' }, duplicates);
      if (withheld > 0) ignored.inc({ reason: 'no_consent' }, withheld);
    },
    onTrackRefused: (reason, events) => refused.inc({ reason }, events),
    onOperationRefused: (operation, reason) => operationsRefused.inc({ operation, reason }),
    onPush: (ms) => push.observe(ms / 1000),
  };

  return {
    registry,
    observer,
    watch(server) {
      servers.add(server);
      return () => void servers.delete(server);
    },
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
