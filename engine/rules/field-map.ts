/**
 * Field maps: `{ "plan": { "$in": ["pro"] }, "device.type": "mobile" }`, the shape of `traits`,
 * `context` and selector `where` conditions. Keys are dot paths into a JSON object; every entry
 * must hold. Paths are split once at compile time and read with own-property checks only, so a
 * path can never reach `Object.prototype`.
 */
import { compileFieldCondition, isPlainObject, type CompiledCondition } from './operators';
import { IssueCollector, show } from './errors';

/** One compiled entry of a field map. */
export interface CompiledField {
  /** The dot path as written (`device.type`). */
  name: string;
  read(source: unknown): unknown;
  condition: CompiledCondition;
}

/** A compiled field map: all fields must hold. */
export interface CompiledFieldMap {
  fields: CompiledField[];
  test(source: unknown): boolean;
  /** `plan in ["pro"] and age ≥ 18`. */
  text: string;
}

const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_PATH_LENGTH = 200;

/** Compiles a field map found at `path`; reports problems and returns `undefined` then. */
export function compileFieldMap(
  map: unknown,
  path: string,
  issues: IssueCollector,
): CompiledFieldMap | undefined {
  if (!isPlainObject(map))
    return issues.report(path, `expected an object of field conditions, got ${show(map)}`);
  const names = Object.keys(map);
  if (names.length === 0) return issues.report(path, 'expected at least one field');
  const fields: CompiledField[] = [];
  let failed = false;
  for (const name of names) {
    const at = `${path}.${name}`;
    const reader = compileFieldPath(name, at, issues);
    const condition = compileFieldCondition(map[name], at, issues);
    if (!reader || !condition) failed = true;
    else fields.push({ name, read: reader, condition });
  }
  if (failed) return undefined;
  return {
    fields,
    text: fields.map((field) => `${field.name} ${field.condition.text}`).join(' and '),
    test: fieldsTest(fields),
  };
}

function fieldsTest(fields: CompiledField[]): (source: unknown) => boolean {
  if (fields.length === 1) {
    const [{ read, condition }] = fields as [CompiledField];
    const test = condition.test;
    return (source) => test(read(source));
  }
  return (source) => {
    for (const field of fields) if (!field.condition.test(field.read(source))) return false;
    return true;
  };
}

/** A reader for a dot path (`device.type`); reports and returns `undefined` for a bad path. */
export function compileFieldPath(
  name: string,
  path: string,
  issues: IssueCollector,
): ((source: unknown) => unknown) | undefined {
  if (name.length === 0 || name.length > MAX_PATH_LENGTH)
    return issues.report(path, `field paths are 1 to ${MAX_PATH_LENGTH} characters`);
  const segments = name.split('.');
  if (segments.some((segment) => segment.length === 0))
    return issues.report(path, `"${name}" has an empty segment`);
  const forbidden = segments.find((segment) => FORBIDDEN_SEGMENTS.has(segment));
  if (forbidden !== undefined) return issues.report(path, `"${forbidden}" is not allowed in a field path`);
  if (segments.length === 1) {
    const [key] = segments as [string];
    return (source) => (isPlainObject(source) && Object.hasOwn(source, key) ? source[key] : undefined);
  }
  return (source) => {
    let value: unknown = source;
    for (const segment of segments) {
      if (!isPlainObject(value) || !Object.hasOwn(value, segment)) return undefined;
      value = value[segment];
    }
    return value;
  };
}
