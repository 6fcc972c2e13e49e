/**
 * Event selectors: `{ "event": "Article Viewed", "where": { "category": "news" } }`. `event` is an
 * event name (`page` and `screen` for those calls) or `"*"` for any event; `where` is a field map
 * over the event's properties. A selector's canonical text (keys sorted) identifies its stream.
 */
import type { VisitorEvent } from '../types';
import { IssueCollector, show } from './errors';
import { compileFieldMap } from './field-map';
import { isPlainObject } from './operators';

/** A compiled selector. */
export interface Selector {
  /** The event name, or `*` for any. */
  event: string;
  matches(event: VisitorEvent): boolean;
  /** Canonical JSON of the selector (sorted keys): equal selectors, equal text. */
  canonical: string;
  /** `Article Viewed where category = "news"`. */
  description: string;
}

const MAX_EVENT_NAME = 100;

/** Compiles a selector at `path`. */
export function compileSelector(spec: unknown, path: string, issues: IssueCollector): Selector | undefined {
  if (typeof spec === 'string') return compileSelector({ event: spec }, path, issues);
  if (!isPlainObject(spec))
    return issues.report(
      path,
      `expected a selector such as { "event": "Article Viewed" }, got ${show(spec)}`,
    );
  let ok = true;
  for (const key of Object.keys(spec))
    if (key !== 'event' && key !== 'where') {
      issues.report(`${path}.${key}`, `unknown field "${key}" in a selector (event, where)`);
      ok = false;
    }
  const event = spec.event;
  if (typeof event !== 'string' || event.length === 0 || event.length > MAX_EVENT_NAME) {
    issues.report(
      `${path}.event`,
      `expected an event name of 1 to ${MAX_EVENT_NAME} characters or "*", got ${show(event)}`,
    );
    ok = false;
  }
  const where = spec.where === undefined ? undefined : compileFieldMap(spec.where, `${path}.where`, issues);
  if (spec.where !== undefined && !where) ok = false;
  if (!ok || typeof event !== 'string') return undefined;
  const name = event;
  const test = where?.test;
  const matches =
    name === '*'
      ? test
        ? (input: VisitorEvent) => test(input.properties)
        : () => true
      : test
        ? (input: VisitorEvent) => input.type === name && test(input.properties)
        : (input: VisitorEvent) => input.type === name;
  return {
    event: name,
    matches,
    canonical: canonicalJson(spec.where === undefined ? { event } : { event, where: spec.where }),
    description: `${name === '*' ? 'any event' : name}${where ? ` where ${where.text}` : ''}`,
  };
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}
