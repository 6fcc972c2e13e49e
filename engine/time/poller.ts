/**
 * Polls the due-set and re-evaluates each due profile: the reason exits and deadlines happen on
 * time with no new event. Several processes may poll the same due-set (claims are leased).
 *
 * The poller sleeps until the earliest scheduled time it saw (never longer than the poll
 * interval, so entries other processes add are found), which puts re-evaluations within a few
 * milliseconds of their exact time rather than up to a whole interval late.
 *
 * A re-evaluation that fails (a corrupt profile, a rule that throws on its data) is retried with
 * an exponential back-off and given up after `retry.maxAttempts` failures in a row (`fail` in
 * `due-set.ts`): a profile that always fails costs a few attempts, not one every lease forever.
 */
import type { Clock, EngineObserver, EpochMs } from '../types';
import type { DueClaim, DueRetryPolicy, DueSet } from './due-set';

export interface DuePollerOptions {
  dueSet: DueSet;
  clock: Clock;
  /** Longest sleep between polls (ms). */
  pollIntervalMs: number;
  /** How long a claim is held before another poller may take the profile over (ms). */
  leaseMs: number;
  /** Most entries claimed per partition per poll. */
  claimLimit: number;
  /** How failing re-evaluations are retried. */
  retry: DueRetryPolicy;
  /** Re-evaluates a profile; returns its next due time (`null`: none). */
  reevaluate(profileId: string): Promise<EpochMs | null>;
  /** Never receives a profile id: failures are logged by count and delay only. */
  logger: Pick<Console, 'warn' | 'error'>;
  observer: Pick<EngineObserver, 'onDueFailure'>;
}

export class DuePoller {
  private timer: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;
  private running = false;
  /** Set when a wake-up came while a poll was running. */
  private pollAgain = false;
  /** The poll in progress, awaited by `stop`. */
  private current: Promise<void> | undefined;

  constructor(private readonly options: DuePollerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.wake(this.options.clock.now());
  }

  /** Stops polling and waits for the poll in progress (its claims are finished, not abandoned). */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.current;
  }

  /** Polls no later than `at` (a profile was just scheduled then by this process). */
  wake(at: EpochMs): void {
    if (!this.running || at >= this.wakeAt) return;
    clearTimeout(this.timer);
    this.wakeAt = at;
    this.timer = setTimeout(() => this.poll(), Math.max(0, at - this.options.clock.now()));
  }

  private poll(): void {
    this.timer = undefined;
    this.wakeAt = Infinity;
    if (this.current) {
      // A wake-up during a poll: poll again as soon as this one is done.
      this.pollAgain = true;
      return;
    }
    this.current = this.pollOnce()
      .catch((error: unknown) => {
        this.options.logger.error('personalize: due-set poll failed', error);
        return null;
      })
      .then((next) => {
        this.current = undefined;
        const now = this.options.clock.now();
        const at = this.pollAgain ? now : (next ?? now + this.options.pollIntervalMs);
        this.pollAgain = false;
        this.wake(at);
      });
  }

  /** One claim-and-process round; returns when to poll next. */
  private async pollOnce(): Promise<EpochMs> {
    const { dueSet, clock, leaseMs, claimLimit, pollIntervalMs } = this.options;
    const now = clock.now();
    const batch = await dueSet.claim(now, leaseMs, claimLimit);
    await Promise.all(batch.claims.map((claim) => this.process(claim)));
    const after = clock.now();
    if (batch.more) return after;
    const latest = after + pollIntervalMs;
    return batch.nextAt === null ? latest : Math.min(latest, batch.nextAt);
  }

  private async process(claim: DueClaim): Promise<void> {
    let next: EpochMs | null;
    try {
      next = await this.options.reevaluate(claim.profileId);
    } catch (error) {
      await this.failed(claim, error);
      return;
    }
    try {
      // A next time not after now would spin: one millisecond later is the earliest useful poll.
      const now = this.options.clock.now();
      await this.options.dueSet.finish(claim, next === null ? null : Math.max(next, now + 1));
    } catch (error) {
      // Left claimed: when the lease ends, a poller (maybe this one) finishes the work.
      this.options.logger.error('personalize: finishing a due profile failed', error);
    }
  }

  private async failed(claim: DueClaim, failure: unknown): Promise<void> {
    const { dueSet, clock, retry, logger, observer } = this.options;
    const error = withoutMessage(failure);
    let recorded;
    try {
      recorded = await dueSet.fail(claim, clock.now(), retry);
    } catch (failError) {
      // The due-set itself is unreachable: left claimed, retried when the lease ends.
      logger.error('personalize: re-evaluation of a due profile failed', error);
      logger.error('personalize: recording the failure of a due profile failed', failError);
      return;
    }
    const { attempt, outcome } = recorded;
    observer.onDueFailure?.(outcome === 'gave_up');
    const of = `attempt ${attempt} of ${retry.maxAttempts}`;
    if (outcome === 'gave_up') {
      logger.error(`personalize: re-evaluation of a due profile failed (${of})`, error);
      logger.warn(
        `personalize: gave up re-evaluating a due profile after ${attempt} failed attempts in a row; ` +
          'it is re-evaluated on its next event or read',
      );
    } else {
      const when =
        recorded.outcome === 'retry'
          ? `retrying in ${Math.max(0, recorded.retryAt - clock.now())} ms`
          : 'a new event rescheduled it';
      logger.error(`personalize: re-evaluation of a due profile failed (${of}, ${when})`, error);
    }
  }
}

/**
 * The error of a failed re-evaluation, with its name and stack but not its message: the message
 * may quote the profile's stored data (`JSON.parse` quotes the text it could not read).
 */
function withoutMessage(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(`a non-error was thrown (${typeof error})`);
  const safe = new Error('(message withheld: it may quote profile data)');
  safe.name = error.name;
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  safe.stack = [`${error.name}: ${safe.message}`, ...frames].join('\n');
  return safe;
}
