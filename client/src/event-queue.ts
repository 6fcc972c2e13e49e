/**
 * The outgoing event queue: batches events, sends them in order, and retries failed sends with
 * backoff. Events keep their ids across retries, so when a send "failed" after the server had in
 * fact stored it (a timeout, a dropped response), the retry is acknowledged as a duplicate and
 * nothing is counted twice. That is what makes retrying safe at all.
 *
 * Events stay in the queue until the server acknowledged them; `pending()` therefore includes the
 * batch in flight, which is what the page-hide beacon must carry (the in-flight request may be
 * cancelled by the unload).
 */
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { PersonalizeRequestError } from './errors.js';
import type { TrackedEvent } from './events.js';

/** Sends one batch; resolves when the server acknowledged it, throws `PersonalizeRequestError` otherwise. */
export type SendBatch = (events: TrackedEvent[], options: { keepalive: boolean }) => Promise<void>;

/** Tuning of the queue. Every field has a default suited to a browser. */
export interface EventQueueOptions {
  /** Most events per request. Default 50. */
  maxBatchSize?: number;
  /** How long an event may wait for companions before a send. Default 100 ms: batches bursts, still feels instant. */
  flushIntervalMs?: number;
  /** Most events held while the server is unreachable; the oldest are dropped beyond it. Default 1000. */
  maxQueueSize?: number;
  backoff?: BackoffOptions;
  /** Told about every failed send and every dropped event; the queue itself never throws at callers. */
  onError?: (error: unknown) => void;
}

/** A batching, retrying, order-preserving event queue. */
export class EventQueue {
  private queue: TrackedEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Consecutive failed sends; 0 when the last send succeeded. */
  private failures = 0;
  private running: Promise<void> | null = null;
  private disposed = false;
  /** Lowered when the server says a batch is too large. */
  private maxBatchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxQueueSize: number;
  private readonly backoff: BackoffOptions;
  private readonly onError: (error: unknown) => void;

  constructor(
    private readonly send: SendBatch,
    options: EventQueueOptions = {},
  ) {
    this.maxBatchSize = positiveInteger('maxBatchSize', options.maxBatchSize ?? 50);
    this.flushIntervalMs = nonNegative('flushIntervalMs', options.flushIntervalMs ?? 100);
    this.maxQueueSize = positiveInteger('maxQueueSize', options.maxQueueSize ?? 1000);
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.onError = options.onError ?? (() => undefined);
  }

  /** Queues an event; it is sent within `flushIntervalMs` (at once when a batch is full). */
  enqueue(event: TrackedEvent): void {
    if (this.disposed) throw new Error('event queue is disposed');
    this.queue.push(event);
    if (this.queue.length > this.maxQueueSize) {
      const dropped = this.queue.splice(0, this.queue.length - this.maxQueueSize);
      this.onError(
        new Error(`event queue full (${this.maxQueueSize}): dropped ${dropped.length} oldest event(s)`),
      );
    }
    // While backing off, the retry timer is already set: new events ride along with the retry.
    if (this.failures > 0) return;
    if (this.queue.length >= this.maxBatchSize) this.schedule(0);
    else this.schedule(this.flushIntervalMs);
  }

  /**
   * Sends everything queued now, skipping any wait (also a pending backoff: an explicit flush means
   * "try now"). Resolves when the queue is empty or a send failed (the failure then goes to `onError`
   * and a retry is scheduled); never rejects.
   *
   * @param keepalive send with `fetch` keepalive, so the request survives the page being hidden or closed.
   */
  async flush(keepalive = false): Promise<void> {
    this.clearTimer();
    while (this.running) await this.running;
    if (this.queue.length === 0 || this.disposed) return;
    this.running = this.drain(keepalive).finally(() => {
      this.running = null;
    });
    await this.running;
  }

  /** Every event not yet acknowledged (the batch in flight included), oldest first. */
  pending(): TrackedEvent[] {
    return [...this.queue];
  }

  /** Removes events handed over elsewhere (to a beacon). Safe if some were acknowledged meanwhile. */
  remove(events: readonly TrackedEvent[]): void {
    const gone = new Set(events);
    this.queue = this.queue.filter((event) => !gone.has(event));
  }

  /** Drops everything queued (after `forgetMe`: nothing of the erased profile may be sent afterwards). */
  clear(): void {
    this.queue = [];
    this.failures = 0;
    this.clearTimer();
  }

  /** Stops timers; queued events are abandoned. */
  dispose(): void {
    this.disposed = true;
    this.clear();
  }

  private async drain(keepalive: boolean): Promise<void> {
    while (this.queue.length > 0 && !this.disposed) {
      const batch = this.queue.slice(0, this.maxBatchSize);
      try {
        await this.deliver(batch, keepalive);
        this.failures = 0;
      } catch (error) {
        // Only failures worth retrying get here: the whole rest of the queue waits, in order.
        this.onError(error);
        const asked = error instanceof PersonalizeRequestError ? (error.retryAfterMs ?? 0) : 0;
        this.schedule(Math.max(asked, backoffDelay(Math.min(this.failures, 30), this.backoff)));
        this.failures += 1;
        return;
      }
    }
  }

  /**
   * Sends `batch` and removes it once acknowledged. A batch the server refuses as invalid is split
   * in halves and each half sent on its own, down to single events: one bad event is then dropped
   * (and reported) without taking its good neighbours with it. A batch refused as too large lowers
   * the batch size and stays queued. Throws only failures worth retrying (network, server
   * unavailable, token refused twice).
   */
  private async deliver(batch: TrackedEvent[], keepalive: boolean): Promise<void> {
    try {
      await this.send(batch, { keepalive });
      this.remove(batch);
    } catch (error) {
      if (!(error instanceof PersonalizeRequestError) || error.failure !== 'rejected') throw error;
      if (error.code === 'BATCH_TOO_LARGE' && batch.length > 1) {
        // Smaller batches from now on; the drain loop sends these events again at the new size.
        this.maxBatchSize = Math.max(1, Math.floor(batch.length / 2));
        return;
      }
      if (batch.length === 1) {
        this.onError(error);
        this.remove(batch);
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await this.deliver(batch.slice(0, half), keepalive);
      await this.deliver(batch.slice(half), keepalive);
    }
  }

  private schedule(delayMs: number): void {
    if (this.disposed) return;
    if (this.timer !== null) {
      if (delayMs > 0) return; // an earlier timer already covers this event
      this.clearTimer();
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flushFromTimer();
    }, delayMs);
  }

  private async flushFromTimer(): Promise<void> {
    // A timer-driven flush keeps the backoff state: only an explicit flush() resets the wait.
    while (this.running) await this.running;
    if (this.queue.length === 0 || this.disposed) return;
    this.running = this.drain(false).finally(() => {
      this.running = null;
    });
    await this.running;
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative number, got ${value}`);
  return value;
}
