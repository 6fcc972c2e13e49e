/**
 * `traits`, `clientTraits` and `context` conditions: a field map over the profile's server-side
 * traits, its browser-sent traits or its latest event context. They do not change with time.
 */
import type { EpochMs, JsonValue } from '../../types';
import type { CompiledFieldMap } from '../field-map';
import type { Observation, RuleNode } from '../node';
import type { EvaluationScope } from '../scope';

const EMPTY = Object.freeze({});

export class AttributeNode implements RuleNode {
  readonly timed = false;
  private readonly check: (source: unknown) => boolean;

  constructor(
    readonly path: string,
    private readonly source: 'traits' | 'clientTraits' | 'context',
    private readonly map: CompiledFieldMap,
  ) {
    this.check = map.test;
  }

  test(scope: EvaluationScope): boolean {
    return this.check(scope.facts[this.source] ?? EMPTY);
  }

  nextCandidate(): EpochMs | null {
    return null;
  }

  explain(scope: EvaluationScope, _at: EpochMs, into: Observation[]): void {
    const source = scope.facts[this.source] ?? EMPTY;
    for (const field of this.map.fields) {
      const value = field.read(source);
      const holds = field.condition.test(value);
      into.push({
        path: `${this.path}.${this.source}.${field.name}`,
        text: `${this.source}.${field.name} is ${value === undefined ? 'not set' : JSON.stringify(value)} (${holds ? '' : 'not '}${field.condition.text})`,
        observed: value === undefined ? null : (value as JsonValue),
      });
    }
  }
}
