/**
 * The rule language: `compileRuleSet` turns segment rules and score definitions (JSON, documented
 * in README.md, schema in rule.schema.json) into an immutable `CompiledRuleSet` that routes events
 * into the streams it needs and evaluates memberships with reasons and `nextChangeAt`.
 */
export { compileRuleSet, MAX_SEGMENTS } from './compile-rule-set';
export { compilableRuleSet } from './compilable-rule-set';
export { RuleCompileError, type RuleIssue } from './errors';
export { factsFromEvents } from './facts';
export { simulate, type SimulationStep, type SimulationResult } from './simulate';
export { parseDuration, formatDuration, MIN_WINDOW_MS, MAX_WINDOW_MS } from './duration';
