/**
 * Reading `{ data: { … } }` request bodies of the admin API: only the attributes an editor may
 * write are accepted; anything else is refused, not silently ignored.
 */
import { errors } from '@strapi/utils';

/**
 * The body's `data`, checked against `writable`.
 *
 * @throws errors.ValidationError when the body is not `{ data: { … } }` or names other attributes.
 */
export function writableData(
  body: unknown,
  writable: readonly string[],
  what: string,
): Record<string, unknown> {
  const data = (body as { data?: unknown } | undefined)?.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new errors.ValidationError(`the request body must be { "data": { …${what} attributes } }`);
  const unknown = Object.keys(data).filter((name) => !writable.includes(name));
  if (unknown.length > 0)
    throw new errors.ValidationError(
      `not a ${what} attribute: ${unknown.join(', ')} (allowed: ${writable.join(', ')})`,
    );
  return data as Record<string, unknown>;
}
