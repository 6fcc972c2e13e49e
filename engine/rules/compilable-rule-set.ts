/**
 * `compilableRuleSet`: a stored rule set minus the segments that do not compile, so that one bad
 * row written around the CMS cannot keep the whole site from starting.
 */
import type { RuleSetSource } from '../types';
import { compileRuleSet } from './compile-rule-set';
import { RuleCompileError } from './errors';

/**
 * `source` without the segments whose rules do not compile (each drop logged through `log`); no
 * segments at all when the scores themselves do not compile. Compiling the result does not throw
 * a `RuleCompileError`.
 */
export function compilableRuleSet(
  source: RuleSetSource,
  log: (level: 'error', message: string) => void,
): RuleSetSource {
  let current = source;
  for (;;) {
    try {
      compileRuleSet(current);
      return current;
    } catch (error) {
      if (!(error instanceof RuleCompileError)) throw error;
      const bad = new Set(error.issues.flatMap((issue) => (issue.segment ? [issue.segment] : [])));
      if (bad.size === 0) {
        log('error', `stored scores do not compile; starting without segments:\n${error.message}`);
        return { segments: [], scores: [] };
      }
      log('error', `segments left out because their rules do not compile:\n${error.message}`);
      current = { ...current, segments: current.segments.filter((segment) => !bad.has(segment.key)) };
    }
  }
}
