/**
 * Score definitions (`RuleSetSource.scores`): weighted event counts with optional decay, defined
 * once and referenced by key from any segment (`{ "score": "engagement", "is": { "$gte": 50 } }`).
 *
 *   { "key": "engagement", "name": "Engagement", "within": "30d", "halfLife": "7d",
 *     "points": [ { "event": "page", "add": 1 },
 *                 { "event": "Order Completed", "where": { "total": { "$gt": 100 } }, "add": 20 } ] }
 *
 * Each `points` entry becomes a stream of its own, so changing a weight keeps the history. Streams
 * are declared when a segment first uses the score: an unused score costs the store nothing.
 */
import { compileWindow, formatDuration, parseDuration } from './duration';
import { IssueCollector, show } from './errors';
import { isPlainObject } from './operators';
import { compileSelector } from './selector';
import type { Selector } from './selector';
import type { StreamRegistry } from './streams';
import type { ScoreDefinition } from './nodes/score';

/** A valid score definition; `use()` declares its streams (once) and returns the compiled score. */
export interface ScoreSource {
  use(): ScoreDefinition;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const SCORE_FIELDS = ['key', 'name', 'description', 'within', 'halfLife', 'points'];
const POINT_FIELDS = ['event', 'where', 'add'];
const MAX_POINTS = 50;

/**
 * Compiles every score; the map holds `null` for a score that failed (so references to it do
 * not also report "unknown score").
 */
export function compileScores(
  scores: unknown,
  issues: IssueCollector,
  streams: StreamRegistry,
): Map<string, ScoreSource | null> {
  const compiled = new Map<string, ScoreSource | null>();
  if (scores === undefined) return compiled;
  if (!Array.isArray(scores)) {
    issues.report('scores', `expected an array of score definitions, got ${show(scores)}`);
    return compiled;
  }
  scores.forEach((score, index) => {
    const key = isPlainObject(score) ? score.key : undefined;
    if (typeof key !== 'string' || !KEY.test(key)) {
      issues.report(
        `scores[${index}].key`,
        `expected a key of letters, digits, "-" and "_" (1 to 64), got ${show(key)}`,
      );
      return;
    }
    if (compiled.has(key)) {
      issues.report(`scores[${key}].key`, `duplicate score key "${key}"`);
      return;
    }
    compiled.set(
      key,
      compileScore(score as Record<string, unknown>, key, `scores[${key}]`, issues, streams) ?? null,
    );
  });
  return compiled;
}

function compileScore(
  score: Record<string, unknown>,
  key: string,
  path: string,
  issues: IssueCollector,
  streams: StreamRegistry,
): ScoreSource | undefined {
  const before = issues.issues.length;
  for (const field of Object.keys(score))
    if (!SCORE_FIELDS.includes(field))
      issues.report(`${path}.${field}`, `unknown field "${field}" (allowed: ${SCORE_FIELDS.join(', ')})`);
  if (score.name !== undefined && typeof score.name !== 'string')
    issues.report(`${path}.name`, `expected a string, got ${show(score.name)}`);
  const windowMs = compileWindow(score.within, `${path}.within`, issues);
  let halfLifeMs: number | undefined;
  if (score.halfLife !== undefined) {
    halfLifeMs = parseDuration(score.halfLife);
    if (halfLifeMs === undefined || halfLifeMs < 1_000)
      issues.report(
        `${path}.halfLife`,
        `${show(score.halfLife)} is not a duration of at least ${formatDuration(1_000)}`,
      );
  }
  const points = score.points;
  if (!Array.isArray(points) || points.length === 0 || points.length > MAX_POINTS) {
    issues.report(`${path}.points`, `expected 1 to ${MAX_POINTS} point rules, got ${show(points)}`);
    return undefined;
  }
  const selectors = points.map((point, index) => {
    const at = `${path}.points[${index}]`;
    if (!isPlainObject(point))
      return issues.report(at, `expected { event, where?, add }, got ${show(point)}`);
    for (const field of Object.keys(point))
      if (!POINT_FIELDS.includes(field))
        issues.report(`${at}.${field}`, `unknown field "${field}" (allowed: ${POINT_FIELDS.join(', ')})`);
    if (typeof point.add !== 'number' || !Number.isFinite(point.add) || point.add === 0)
      issues.report(`${at}.add`, `expected a non-zero finite number, got ${show(point.add)}`);
    const selector = compileSelector(
      point.where === undefined ? { event: point.event } : { event: point.event, where: point.where },
      at,
      issues,
    );
    return selector && { selector, add: point.add as number };
  });
  if (issues.issues.length !== before || windowMs === undefined) return undefined;
  const name = typeof score.name === 'string' ? score.name : key;
  const weighted = selectors as Array<{ selector: Selector; add: number }>;
  let definition: ScoreDefinition | undefined;
  return {
    use: () =>
      (definition ??= {
        key,
        name,
        windowMs,
        halfLifeMs,
        monotone: weighted.every(({ add }) => add > 0) || weighted.every(({ add }) => add < 0),
        points: weighted.map(({ selector, add }) => ({
          stream: streams.use(selector, { kind: 'none' }, windowMs, false),
          add,
        })),
      }),
  };
}
