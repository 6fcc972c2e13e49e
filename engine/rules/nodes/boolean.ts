/**
 * `all`, `any` and `not`. Explanations keep only what decided: for a true `all` every child, for a
 * false one its first false child; for `any` the reverse.
 *
 * Look-ahead: a true `all` (false `any`) changes as soon as any child does, so its candidate is the
 * earliest child flip. A false `all` (true `any`) cannot change before every child holding it
 * there has flipped at least once, so its candidate is the latest of those first flips, and it is
 * stable for good (`null`) when one of them can never flip.
 */
import type { EpochMs } from '../../types';
import { earliest, type Observation, type RuleNode } from '../node';
import type { EvaluationScope } from '../scope';

/** Earliest candidate over the timed children. */
function earliestOf(children: ReadonlyArray<RuleNode>, scope: EvaluationScope, at: EpochMs): EpochMs | null {
  let next: EpochMs | null = null;
  for (const child of children) if (child.timed) next = earliest(next, child.nextCandidate(scope, at));
  return next;
}

/**
 * The latest first flip over the children whose truth is `holding` (the ones that all must flip
 * before their parent can), or `null` when one of them never flips.
 */
function latestOf(
  children: ReadonlyArray<RuleNode>,
  scope: EvaluationScope,
  at: EpochMs,
  holding: boolean,
): EpochMs | null {
  let latest = -Infinity;
  for (const child of children) {
    if (child.test(scope, at) !== holding) continue;
    if (!child.timed) return null;
    const next = child.nextCandidate(scope, at);
    if (next === null) return null;
    if (next > latest) latest = next;
  }
  return latest === -Infinity ? null : latest;
}

export class AllNode implements RuleNode {
  readonly timed: boolean;

  constructor(
    readonly path: string,
    private readonly children: RuleNode[],
  ) {
    this.timed = children.some((child) => child.timed);
  }

  test(scope: EvaluationScope, at: EpochMs): boolean {
    for (const child of this.children) if (!child.test(scope, at)) return false;
    return true;
  }

  nextCandidate(scope: EvaluationScope, at: EpochMs): EpochMs | null {
    return this.test(scope, at)
      ? earliestOf(this.children, scope, at)
      : latestOf(this.children, scope, at, false);
  }

  explain(scope: EvaluationScope, at: EpochMs, into: Observation[]): void {
    for (const child of this.children) {
      if (child.test(scope, at)) continue;
      child.explain(scope, at, into);
      return;
    }
    for (const child of this.children) child.explain(scope, at, into);
  }
}

export class AnyNode implements RuleNode {
  readonly timed: boolean;

  constructor(
    readonly path: string,
    private readonly children: RuleNode[],
  ) {
    this.timed = children.some((child) => child.timed);
  }

  test(scope: EvaluationScope, at: EpochMs): boolean {
    for (const child of this.children) if (child.test(scope, at)) return true;
    return false;
  }

  nextCandidate(scope: EvaluationScope, at: EpochMs): EpochMs | null {
    return this.test(scope, at)
      ? latestOf(this.children, scope, at, true)
      : earliestOf(this.children, scope, at);
  }

  explain(scope: EvaluationScope, at: EpochMs, into: Observation[]): void {
    for (const child of this.children) {
      if (!child.test(scope, at)) continue;
      child.explain(scope, at, into);
      return;
    }
    for (const child of this.children) child.explain(scope, at, into);
  }
}

export class NotNode implements RuleNode {
  readonly timed: boolean;

  constructor(
    readonly path: string,
    private readonly child: RuleNode,
  ) {
    this.timed = child.timed;
  }

  test(scope: EvaluationScope, at: EpochMs): boolean {
    return !this.child.test(scope, at);
  }

  nextCandidate(scope: EvaluationScope, at: EpochMs): EpochMs | null {
    return this.child.nextCandidate(scope, at);
  }

  explain(scope: EvaluationScope, at: EpochMs, into: Observation[]): void {
    const inner: Observation[] = [];
    this.child.explain(scope, at, inner);
    for (const observation of inner) into.push({ ...observation, text: `not: ${observation.text}` });
  }
}
