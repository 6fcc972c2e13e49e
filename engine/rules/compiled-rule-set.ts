/**
 * The immutable product of `compileRuleSet`: segments in evaluation order with their compiled
 * rules, the streams they need, the router, and `evaluate`.
 *
 * `nextChangeAt` is found by asking the rule itself: starting from `now`, take the earliest time
 * any timed condition can flip (each condition knows its own exact flip time), re-test the whole
 * rule there, and repeat until the result differs. Every flip of the rule happens at a flip of one
 * of its conditions, so the first differing candidate is exactly the first change; never late.
 */
import type {
  CompiledRuleSet,
  EpochMs,
  Evaluation,
  ProfileFacts,
  SegmentDefinition,
  SegmentResult,
  StreamEntry,
  StreamSpec,
  VisitorEvent,
} from '../types';
import type { RuleNode } from './node';
import { LazyReason } from './reason';
import { recordFactory } from './record-shape';
import { EvaluationScope, type ScopeSegment } from './scope';

/** A segment ready to evaluate. */
export interface CompiledSegment extends ScopeSegment {
  readonly key: string;
  readonly name: string;
  readonly priority: number;
  readonly enabled: boolean;
  readonly rule: RuleNode;
}

/** Candidate instants examined per segment before settling for an earlier (still safe) answer. */
const MAX_LOOKAHEAD_STEPS = 1_000;

export class CompiledRules implements CompiledRuleSet {
  readonly segments: ReadonlyArray<Pick<SegmentDefinition, 'key' | 'name' | 'priority' | 'enabled'>>;
  readonly streams: ReadonlyArray<StreamSpec>;
  readonly maxRetentionMs: number;
  readonly contextPaths: ReadonlyArray<string>;
  /** Creates the `segments` record of an evaluation (enabled segments, in evaluation order). */
  private readonly newResults: () => Record<string, SegmentResult>;

  constructor(
    readonly version: string,
    /** Segments by source position (the indexes compiled into reference and hysteresis nodes). */
    private readonly compiled: ReadonlyArray<CompiledSegment>,
    /** Source positions in evaluation order: every segment after the segments it references. */
    private readonly order: ReadonlyArray<number>,
    streams: StreamSpec[],
    private readonly router: (event: VisitorEvent) => StreamEntry[],
    contextPaths: ReadonlyArray<string> = [],
  ) {
    this.contextPaths = Object.freeze([...contextPaths]);
    this.segments = Object.freeze(
      order
        .map((index) => compiled[index]!)
        .map(({ key, name, priority, enabled }) => Object.freeze({ key, name, priority, enabled })),
    );
    this.streams = Object.freeze(streams.map((spec) => Object.freeze({ ...spec })));
    this.newResults = recordFactory(
      order
        .map((index) => compiled[index]!)
        .filter((segment) => segment.enabled)
        .map((segment) => segment.key),
    );
    this.maxRetentionMs = streams.reduce((longest, spec) => Math.max(longest, spec.retentionMs), 0);
  }

  route(event: VisitorEvent): StreamEntry[] {
    return this.router(event);
  }

  evaluate(facts: ProfileFacts, now: EpochMs): Evaluation {
    const segments = this.compiled;
    const order = this.order;
    const scope = new EvaluationScope(facts, now, segments, undefined);
    const results = scope.results;
    for (let n = 0; n < order.length; n++) {
      const i = order[n]!;
      const segment = segments[i]!;
      results[i] = segment.enabled && segment.rule.test(scope, now);
    }
    // From now on the stored memberships are these results: hysteresis looks ahead from them.
    let ahead: EvaluationScope | undefined;
    const out = this.newResults();
    let next: EpochMs | null = null;
    for (let n = 0; n < order.length; n++) {
      const i = order[n]!;
      const segment = segments[i]!;
      if (!segment.enabled) continue;
      const member = results[i]!;
      let changeAt: EpochMs | null = null;
      if (segment.rule.timed) {
        ahead ??= new EvaluationScope(facts, now, segments, results, scope);
        changeAt = nextChange(segment.rule, ahead, now, member);
        if (changeAt !== null && (next === null || changeAt < next)) next = changeAt;
      }
      out[segment.key] = { member, reason: new LazyReason(segment.rule, scope, now), nextChangeAt: changeAt };
    }
    return { segments: out, nextChangeAt: next };
  }
}

/** The first instant after `now` when `rule` no longer yields `current` (no new event), or `null`. */
function nextChange(rule: RuleNode, scope: EvaluationScope, now: EpochMs, current: boolean): EpochMs | null {
  let at = now;
  for (let step = 0; step < MAX_LOOKAHEAD_STEPS; step++) {
    const candidate = rule.nextCandidate(scope, at);
    if (candidate === null) return null;
    if (rule.test(scope, candidate) !== current) return candidate;
    at = candidate;
  }
  // Still unchanged at `at`: re-evaluating then is early, never late.
  return at;
}
