/**
 * The simple filters of the typed content fields (`banners(filters: { placement: { eq: "home" } })`),
 * evaluated over snapshot documents in memory. Every condition given must hold (AND); the inputs
 * are already coerced by GraphQL (StringFilterInput, NumberFilterInput, BooleanFilterInput).
 */

/** One attribute's conditions, as `StringFilterInput`/`NumberFilterInput`/`BooleanFilterInput` deliver them. */
export interface AttributeFilter {
  eq?: unknown;
  ne?: unknown;
  in?: readonly unknown[] | null;
  notIn?: readonly unknown[] | null;
  contains?: string | null;
  containsi?: string | null;
  startsWith?: string | null;
  endsWith?: string | null;
  lt?: number | null;
  lte?: number | null;
  gt?: number | null;
  gte?: number | null;
  null?: boolean | null;
}

/** Attribute name -> conditions. */
export type Filters = Readonly<Record<string, AttributeFilter | null | undefined>>;

const isEmpty = (value: unknown): boolean => value === null || value === undefined;

/** Strapi returns decimals as numbers or numeric strings depending on the database: compare as numbers. */
function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return null;
}

/** Equality that lets a numeric string equal its number (decimals, bigintegers). */
function same(actual: unknown, expected: unknown): boolean {
  if (actual === expected) return true;
  if (typeof expected === 'number') return asNumber(actual) === expected;
  return false;
}

/** A predicate checking only the conditions `filter` gives (each one a small closure). */
function compileAttribute(filter: AttributeFilter): (value: unknown) => boolean {
  const checks: Array<(value: unknown) => boolean> = [];
  const given = <T>(condition: T | null | undefined): condition is T => !isEmpty(condition);
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  if (given(filter.null)) checks.push((value) => isEmpty(value) === filter.null);
  if (given(filter.eq)) checks.push((value) => same(value, filter.eq));
  if (given(filter.ne)) checks.push((value) => !same(value, filter.ne));
  if (given(filter.in)) checks.push((value) => filter.in!.some((expected) => same(value, expected)));
  if (given(filter.notIn)) checks.push((value) => !filter.notIn!.some((expected) => same(value, expected)));
  if (given(filter.contains)) checks.push((value) => text(value)?.includes(filter.contains!) === true);
  if (given(filter.containsi)) {
    const needle = filter.containsi.toLowerCase();
    checks.push((value) => text(value)?.toLowerCase().includes(needle) === true);
  }
  if (given(filter.startsWith)) checks.push((value) => text(value)?.startsWith(filter.startsWith!) === true);
  if (given(filter.endsWith)) checks.push((value) => text(value)?.endsWith(filter.endsWith!) === true);
  const bound = (
    limit: number | null | undefined,
    holds: (number: number, limit: number) => boolean,
  ): void => {
    if (given(limit))
      checks.push((value) => {
        const number = asNumber(value);
        return number !== null && holds(number, limit);
      });
  };
  bound(filter.lt, (number, limit) => number < limit);
  bound(filter.lte, (number, limit) => number <= limit);
  bound(filter.gt, (number, limit) => number > limit);
  bound(filter.gte, (number, limit) => number >= limit);
  if (checks.length === 1) return checks[0]!;
  return (value) => checks.every((check) => check(value));
}

/** Whether a document satisfies every attribute's conditions. */
export function matchesFilters(document: Readonly<Record<string, unknown>>, filters: Filters): boolean {
  return compileFilters(filters)(document);
}

/** A predicate for `filters`, prepared once and run over many documents (null: everything matches). */
export function compileFilters(filters: Filters): (document: Readonly<Record<string, unknown>>) => boolean {
  const conditions = Object.entries(filters).filter(
    (entry): entry is [string, AttributeFilter] => entry[1] !== null && entry[1] !== undefined,
  );
  if (conditions.length === 0) return () => true;
  const compiled = conditions.map(([attribute, filter]) => [attribute, compileAttribute(filter)] as const);
  return (document) => {
    for (const [attribute, matches] of compiled) if (!matches(document[attribute])) return false;
    return true;
  };
}
