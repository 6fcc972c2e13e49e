/**
 * Compile errors. The compiler does not stop at the first problem: it collects every issue with
 * the path of the offending part (relative to the segment, `rule.all[2].within`, or to a score,
 * `scores[engagement].points[1].add`) so an editor can fix a rule in one pass.
 */

/** One problem found in a rule set. */
export interface RuleIssue {
  /** The segment whose rule is at fault (absent for problems in score definitions or the set itself). */
  segment?: string;
  /** Where, e.g. `rule.all[2].within` or `scores[engagement].halfLife`. */
  path: string;
  /** Why, e.g. `"10 mn" is not a duration`. */
  message: string;
}

/** Thrown by `compileRuleSet` when any rule is invalid; nothing of the rule set is usable then. */
export class RuleCompileError extends Error {
  override readonly name = 'RuleCompileError';
  readonly issues: RuleIssue[];

  constructor(issues: RuleIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.issues = issues;
  }
}

function formatIssue(issue: RuleIssue): string {
  return issue.segment === undefined
    ? `${issue.path}: ${issue.message}`
    : `segment "${issue.segment}": ${issue.path}: ${issue.message}`;
}

/**
 * Collects issues while compiling one segment or score: `at(path)` reports and returns `undefined`
 * so compile functions can write `return issues.at(path, 'why')`.
 */
export class IssueCollector {
  readonly issues: RuleIssue[] = [];
  /** The segment being compiled, stamped on every issue reported. */
  segment: string | undefined;

  report(path: string, message: string): undefined {
    this.issues.push(
      this.segment === undefined ? { path, message } : { segment: this.segment, path, message },
    );
    return undefined;
  }
}

/** Renders a value inside an error message: strings quoted, everything else as JSON, truncated. */
export function show(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
