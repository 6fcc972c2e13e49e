/**
 * `{ "segment": "vip" }`: the referenced segment's result in the same evaluation. Segments are
 * compiled and evaluated references first (cycles are refused before), so the target is known
 * here. A disabled segment has no members, so a reference to it is false.
 */
import type { EpochMs } from '../../types';
import type { Observation, RuleNode } from '../node';
import type { EvaluationScope } from '../scope';

export class SegmentReferenceNode implements RuleNode {
  readonly timed: boolean;

  constructor(
    readonly path: string,
    private readonly key: string,
    /** Index of the referenced segment in the rule set. */
    private readonly index: number,
    private readonly target: RuleNode,
    enabled: boolean,
  ) {
    this.timed = enabled && target.timed;
  }

  test(scope: EvaluationScope, at: EpochMs): boolean {
    return scope.segmentAt(this.index, at);
  }

  nextCandidate(scope: EvaluationScope, at: EpochMs): EpochMs | null {
    return this.target.nextCandidate(scope, at);
  }

  explain(scope: EvaluationScope, at: EpochMs, into: Observation[]): void {
    const member = scope.segmentAt(this.index, at);
    into.push({
      path: this.path,
      text: `${member ? 'member' : 'not a member'} of "${this.key}"`,
      observed: member,
    });
  }
}
