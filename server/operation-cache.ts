/**
 * Parsed and validated WebSocket operations, cached by query text per schema: thousands of
 * subscriptions of the same live query share one document (and one validation). Bounded (least
 * recently used evicted), per the notes: an unbounded parse cache is a memory leak.
 */
import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';

export type Prepared =
  { document: DocumentNode; errors: null } | { document: null; errors: readonly GraphQLError[] };

export class OperationCache {
  private readonly bySchema = new WeakMap<GraphQLSchema, Map<string, Prepared>>();

  constructor(
    private readonly maxEntries: number,
    private readonly rules: readonly ValidationRule[],
  ) {}

  /** The parsed document of `query`, or the syntax/validation errors. */
  prepare(schema: GraphQLSchema, query: string): Prepared {
    let entries = this.bySchema.get(schema);
    if (!entries) this.bySchema.set(schema, (entries = new Map()));
    const cached = entries.get(query);
    if (cached) {
      entries.delete(query);
      entries.set(query, cached);
      return cached;
    }
    let prepared: Prepared;
    try {
      const document = parse(query, { maxTokens: 10_000 });
      const errors = validate(schema, document, [...specifiedRules, ...this.rules]);
      prepared = errors.length > 0 ? { document: null, errors } : { document, errors: null };
    } catch (error) {
      prepared = {
        document: null,
        errors: [error instanceof GraphQLError ? error : new GraphQLError(String(error))],
      };
    }
    entries.set(query, prepared);
    if (entries.size > this.maxEntries) entries.delete(entries.keys().next().value as string);
    return prepared;
  }
}
