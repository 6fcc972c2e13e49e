/**
 * The state one evaluation reads: the profile's facts, the evaluation time, the segments' results
 * at that time (for references), and the membership each hysteresis condition compares against.
 *
 * Two scopes exist per evaluation. The first answers "now" with the memberships stored before the
 * evaluation (`facts.previous`). The second looks ahead for `nextChangeAt`: from now on the stored
 * memberships will be this evaluation's results, so hysteresis reads those.
 */
import type { EpochMs, ProfileFacts } from '../types';

/**
 * What the scope needs to know about a segment to answer references to it. `rule` is a compiled
 * `RuleNode` (node.ts); only the part the scope calls is named here, so that node.ts (whose
 * methods take a scope) and this file do not import each other.
 */
export interface ScopeSegment {
  readonly key: string;
  readonly enabled: boolean;
  readonly rule: { test(scope: EvaluationScope, at: EpochMs): boolean };
}

export class EvaluationScope {
  /** Segment results at `now`, by segment index; filled in evaluation (topological) order. */
  readonly results: boolean[];

  /** Values derived from the facts once per evaluation (see `remember`); shared with the look-ahead. */
  private memo: Map<object, unknown> | undefined;

  constructor(
    readonly facts: ProfileFacts,
    readonly now: EpochMs,
    private readonly segments: ReadonlyArray<ScopeSegment>,
    /** When set, hysteresis reads these results instead of `facts.previous` (look-ahead scope). */
    private readonly membershipFromResults: boolean[] | undefined,
    /** The scope at `now` this look-ahead scope derives from (its derived values are the same). */
    private readonly parent?: EvaluationScope,
  ) {
    this.results = membershipFromResults ?? new Array<boolean>(segments.length);
  }

  /**
   * The value `build` derives from the facts, computed once per evaluation per `owner` (a
   * compiled condition or definition). The facts do not change during an evaluation.
   */
  remember<T>(owner: object, build: () => T): T {
    if (this.parent) return this.parent.remember(owner, build);
    this.memo ??= new Map();
    let value = this.memo.get(owner) as T | undefined;
    if (value === undefined) {
      value = build();
      this.memo.set(owner, value);
    }
    return value;
  }

  /** Whether the profile counts as a member of segment `index` for hysteresis. */
  wasMember(index: number): boolean {
    if (this.membershipFromResults) return this.membershipFromResults[index] === true;
    const key = this.segments[index]!.key;
    return Object.hasOwn(this.facts.previous, key) && this.facts.previous[key] !== undefined;
  }

  /** The truth of segment `index` at `at` (a reference from another segment). */
  segmentAt(index: number, at: EpochMs): boolean {
    if (at === this.now) {
      const known = this.results[index];
      if (known !== undefined) return known;
    }
    const segment = this.segments[index]!;
    return segment.enabled && segment.rule.test(this, at);
  }
}
