/**
 * The field names of a profile's hash (`<p>:{<id>}:h`, the table in ../README.md), in one place
 * for the TypeScript that reads them. The Lua scripts (lua/*.lua) write the same names: a rename
 * changes both, and stored profiles (a migration).
 */
export const HASH_FIELDS = {
  version: 'v',
  rulesVersion: 'rv',
  dueAt: 'due',
  consent: 'cs',
  userId: 'uid',
  firstSeenAt: 'fs',
  contextAt: 'ca',
  /** The fingerprint of the context policy the stored context was pruned to. */
  contextPolicy: 'ck',
} as const;

/** Prefixes of the per-key fields: `t:<trait>`, `c:<context key>`, `m:<segment>`, `s:<stream>`. */
export const HASH_FIELD_PREFIXES = {
  trait: 't:',
  context: 'c:',
  membership: 'm:',
  stream: 's:',
} as const;
