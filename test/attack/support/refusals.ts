/**
 * What a refusal must look like to a client: a documented `extensions.code`, a message that says
 * where and why, and no partial data.
 */
import { expect } from 'vitest';
import type { GraphQLResponse } from '../../graphql/support/harness';

/** The codes of server/README.md a hostile `track` may get. */
export const INPUT_REFUSALS = ['BAD_USER_INPUT', 'BATCH_TOO_LARGE', 'PAYLOAD_TOO_LARGE'] as const;

/**
 * Asserts `response` refused a `track` whose first bad event is at `index` (or the whole `events`
 * variable when `index` is null): our validator names the path in `extensions.path` and starts its
 * message with it; GraphQL's variable coercion names the variable and the place in its message.
 */
export function expectTrackRefused(response: GraphQLResponse, index: number | null, label: string): void {
  const where = `${label} -> ${JSON.stringify(response.errors ?? response.data).slice(0, 300)}`;
  expect((response.data as { track?: unknown } | null | undefined)?.track ?? null, where).toBeNull();
  const error = response.errors?.[0];
  expect(error, where).toBeDefined();
  const code = error!.extensions?.code;
  expect(INPUT_REFUSALS, where).toContain(code);
  expect(error!.message.length, where).toBeGreaterThan(10);
  if (code !== 'BAD_USER_INPUT') return;
  const path = error!.extensions?.path;
  if (typeof path === 'string') {
    expect(path, where).toMatch(index === null ? /^events/ : new RegExp(`^events\\[${index}\\]`));
    expect(error!.message.startsWith(`${path}: `), where).toBe(true);
  } else {
    expect(error!.message, where).toMatch(/Variable "\$e"/);
    if (index !== null) expect(error!.message, where).toContain(`at "e[${index}]`);
  }
}
