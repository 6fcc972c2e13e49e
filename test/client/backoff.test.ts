/** Retry delays: bounded, growing, jittered, never zero. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../client/src/backoff.js';

describe('backoffDelay', () => {
  const options = { initialMs: 500, maxMs: 30_000 };

  it('doubles from initialMs up to maxMs, jitter taking at most half', () => {
    expect(backoffDelay(0, options, () => 0)).toBe(250);
    expect(backoffDelay(0, options, () => 0.999999)).toBeCloseTo(500, 2);
    expect(backoffDelay(3, options, () => 0)).toBe(2000);
    expect(backoffDelay(10, options, () => 0)).toBe(15_000);
    expect(backoffDelay(5000, options, () => 0.5)).toBe(22_500);
  });

  it('always lies within [ceiling / 2, ceiling) for any attempt and randomness', () => {
    fc.assert(
      fc.property(
        fc.nat(2000),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** attempt);
          const delay = backoffDelay(attempt, options, () => r);
          return delay >= ceiling / 2 && delay < ceiling + 1e-9;
        },
      ),
    );
  });

  it('rejects nonsense instead of returning NaN or a hot loop', () => {
    expect(() => backoffDelay(-1, options)).toThrow(RangeError);
    expect(() => backoffDelay(1.5, options)).toThrow(RangeError);
    expect(() => backoffDelay(0, { initialMs: 0, maxMs: 10 })).toThrow(/0 < initialMs <= maxMs/);
    expect(() => backoffDelay(0, { initialMs: 100, maxMs: 10 })).toThrow(/0 < initialMs <= maxMs/);
  });
});
