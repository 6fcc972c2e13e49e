/**
 * Windowed aggregates over one stream: `count` (optionally the highest count `per` value of a
 * property), `distinct` (distinct values of a property) and `sum` (of a numeric property), compared
 * with a threshold (with optional hysteresis).
 *
 * With no new event a windowed aggregate only changes when an entry leaves its window, so the next
 * flip is found exactly by walking the leave times `t + window` in order and re-testing there.
 */
import type { EpochMs, JsonValue, StreamFacts } from '../../types';
import { formatDuration } from '../duration';
import type { Observation, RuleNode } from '../node';
import type { EvaluationScope } from '../scope';
import type { StreamDefinition } from '../streams';
import type { NumericTest, Threshold } from '../threshold';
import { streamOf, windowStart, firstAfter } from './window';

/** Which aggregate a node computes. */
export type AggregateKind = 'count' | 'countPer' | 'distinct' | 'sum';

export class AggregateNode implements RuleNode {
  readonly timed = true;
  private readonly streamId: string;

  constructor(
    readonly path: string,
    private readonly kind: AggregateKind,
    private readonly stream: StreamDefinition,
    private readonly windowMs: number,
    private readonly threshold: Threshold,
    /** The segment this node belongs to (hysteresis compares against its membership). */
    private readonly segmentIndex: number,
  ) {
    this.streamId = stream.spec.id;
  }

  test(scope: EvaluationScope, at: EpochMs): boolean {
    const stream = streamOf(scope.facts.streams, this.streamId);
    return this.testFor(scope).test(this.valueFrom(stream, windowStart(stream.times, at, this.windowMs)));
  }

  nextCandidate(scope: EvaluationScope, at: EpochMs): EpochMs | null {
    const stream = streamOf(scope.facts.streams, this.streamId);
    const { times } = stream;
    const threshold = this.testFor(scope);
    let start = windowStart(times, at, this.windowMs);
    const holds = threshold.test(this.valueFrom(stream, start));
    const values = new WindowValues(this.kind, stream, start);
    while (start < times.length) {
      const leaveAt = times[start]! + this.windowMs;
      const next = firstAfter(times, times[start]!);
      values.drop(start, next);
      start = next;
      if (threshold.test(values.value()) !== holds) return leaveAt;
    }
    return null;
  }

  explain(scope: EvaluationScope, at: EpochMs, into: Observation[]): void {
    const stream = streamOf(scope.facts.streams, this.streamId);
    const value = this.valueFrom(stream, windowStart(stream.times, at, this.windowMs));
    const threshold = this.testFor(scope);
    const holds = threshold.test(value);
    const label = this.threshold.hysteresis ? `${threshold === this.threshold.stay ? 'stay' : 'enter'} ` : '';
    into.push({
      path: this.path,
      text: `${this.describeValue(value)} within ${formatDuration(this.windowMs)} (${holds ? '' : 'not '}${label}${threshold.text})`,
      observed: value as JsonValue,
    });
  }

  private testFor(scope: EvaluationScope): NumericTest {
    return this.threshold.hysteresis && scope.wasMember(this.segmentIndex)
      ? this.threshold.stay
      : this.threshold.enter;
  }

  private describeValue(value: number): string {
    const { selector, carry } = this.stream;
    const property = carry.kind === 'none' ? '' : carry.property;
    switch (this.kind) {
      case 'count':
        return `${value} × ${selector.description}`;
      case 'countPer':
        return `${value} × ${selector.description} for the same ${property}`;
      case 'distinct':
        return `${value} distinct ${property} of ${selector.description}`;
      default:
        return `sum of ${property} = ${value} over ${selector.description}`;
    }
  }

  /** The aggregate over entries `start..` of the stream. */
  private valueFrom(stream: StreamFacts, start: number): number {
    const { times } = stream;
    switch (this.kind) {
      case 'count':
        return times.length - start;
      case 'sum':
        return sumFrom(stream.values, start, times.length);
      default:
        return new WindowValues(this.kind, stream, start).value();
    }
  }
}

/** Sum of `values[start..end)`, added from the end so every caller gets bit-identical totals. */
function sumFrom(values: ReadonlyArray<string> | undefined, start: number, end: number): number {
  let total = 0;
  if (!values) return total;
  for (let i = end - 1; i >= start; i--) {
    const value = Number(values[i]);
    if (value === value) total += value;
  }
  return total;
}

/** An aggregate over a shrinking window (entries dropped from the old end), updated incrementally. */
class WindowValues {
  private readonly counts = new Map<string | undefined, number>();
  private readonly suffixSums: number[] | undefined;
  /** The start the object was built with (index 0 of `suffixSums`). */
  private readonly origin: number;
  private start: number;

  constructor(
    private readonly kind: AggregateKind,
    private readonly stream: StreamFacts,
    start: number,
  ) {
    this.start = start;
    const { times, values } = stream;
    if (kind === 'distinct' || kind === 'countPer')
      for (let i = start; i < times.length; i++)
        this.counts.set(values?.[i], (this.counts.get(values?.[i]) ?? 0) + 1);
    if (kind === 'sum') {
      // suffixSums[i - start] = sumFrom(values, i, n), accumulated in the same order as sumFrom.
      const sums = new Array<number>(times.length - start + 1);
      sums[times.length - start] = 0;
      for (let i = times.length - 1; i >= start; i--) {
        const value = Number(values?.[i]);
        sums[i - start] = value === value ? sums[i - start + 1]! + value : sums[i - start + 1]!;
      }
      this.suffixSums = sums;
    }
    this.origin = start;
  }

  /** Drops entries `from..to` (the oldest still inside). */
  drop(from: number, to: number): void {
    if (this.kind === 'distinct' || this.kind === 'countPer')
      for (let i = from; i < to; i++) {
        const key = this.stream.values?.[i];
        const left = (this.counts.get(key) ?? 1) - 1;
        if (left === 0) this.counts.delete(key);
        else this.counts.set(key, left);
      }
    this.start = to;
  }

  value(): number {
    switch (this.kind) {
      case 'count':
        return this.stream.times.length - this.start;
      case 'sum':
        return this.suffixSums![this.start - this.origin]!;
      case 'distinct':
        return this.counts.size;
      default: {
        let highest = 0;
        for (const count of this.counts.values()) if (count > highest) highest = count;
        return highest;
      }
    }
  }
}
