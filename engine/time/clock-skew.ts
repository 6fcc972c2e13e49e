/**
 * Compares this process's clock with Redis `TIME`, at start and periodically. Every shared
 * decision compares times taken by different processes: a due-set lease taken by one poller and
 * judged expired by another, event timestamps checked against "now", windows trimmed and
 * evaluated at "now", de-duplication remembered for a window. With one Redis and several
 * instances, Redis's clock is the reference they all see, so each instance measures its offset
 * from it and reports it (gauge `personalize_clock_skew_seconds`), and warns in the log above a
 * threshold: an operator then fixes the machine's clock (NTP) rather than every time-based
 * decision guessing around it.
 *
 * The offset is measured as the middle of the round trip against Redis's reply; half the round
 * trip bounds the error, and only an offset beyond threshold + that bound is reported as skew.
 */
import type { Clock, EngineObserver, EpochMs } from '../types';

export interface ClockSkewOptions {
  clock: Clock;
  /** Redis's current time (ms), e.g. from `TIME`. */
  redisTime(): Promise<EpochMs>;
  /** Above this offset (ms, either way) a warning is logged. */
  warnMs: number;
  /** Time between checks (ms). */
  intervalMs: number;
  logger: Pick<Console, 'warn'>;
  observer: Pick<EngineObserver, 'onClockSkew'>;
}

/** Redis `TIME` (`[seconds, microseconds]`) in epoch milliseconds. */
export async function redisTimeMs(client: { time(): Promise<unknown> }): Promise<EpochMs> {
  const [seconds, micros] = (await client.time()) as [string | number, string | number];
  return Number(seconds) * 1000 + Number(micros) / 1000;
}

export class ClockSkewMonitor {
  private timer: NodeJS.Timeout | undefined;
  private warned = false;

  constructor(private readonly options: ClockSkewOptions) {}

  /** Checks once now, then every `intervalMs`; a failed check is skipped (Redis errors are reported elsewhere). */
  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check().catch(() => undefined), this.options.intervalMs).unref();
    await this.check().catch(() => undefined);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Measures the offset (ms, positive: this process is ahead of Redis), reports and returns it. */
  async check(): Promise<number> {
    const { clock, redisTime, warnMs, logger, observer } = this.options;
    const before = clock.now();
    const reference = await redisTime();
    const after = clock.now();
    const skewMs = (before + after) / 2 - reference;
    observer.onClockSkew?.(skewMs / 1000);
    const beyond = Math.abs(skewMs) - (after - before) / 2 > warnMs;
    if (beyond) {
      logger.warn(
        `personalize: this process's clock is ${(Math.abs(skewMs) / 1000).toFixed(3)} s ` +
          `${skewMs > 0 ? 'ahead of' : 'behind'} Redis (warning above ${warnMs} ms): due-set leases, ` +
          "windows, event timestamps and de-duplication are off by as much; synchronize this machine's clock (NTP)",
      );
    } else if (this.warned) {
      logger.warn(`personalize: this process's clock is back within ${warnMs} ms of Redis`);
    }
    this.warned = beyond;
    return skewMs;
  }
}
