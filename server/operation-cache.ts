/**
 * Parsed and validated WebSocket operations, cached by query text per schema: thousands of
 * subscriptions of the same live query share one document (and one validation).
 *
 * Bounded by entries and by bytes, least recently used evicted first: a parsed document weighs far
 * more than its text (up to ~240 bytes per character with locations, ~90 without), so a count
 * alone let 500 distinct large documents hold over a gigabyte. Documents are parsed with
 * `noLocation`: the token list and positions are not kept (syntax errors still carry their
 * location; validation errors then carry none), and a text longer than
 * `maxDocumentLength` is parsed per use, never cached, so no single caller can fill the cache with
 * a few documents. Each entry is charged `weigh(text, nodes)`, which the measurement in
 * test/attack/hardening.test.ts checks against the heap.
 */
import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  visit,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';

/** A document ready to run (with what it weighs, `weigh`), or the reasons it cannot run. */
export type Prepared =
  | { document: DocumentNode; errors: null; bytes: number }
  | { document: null; errors: readonly GraphQLError[] };

export interface OperationCacheOptions {
  /** Most entries over all schemas. */
  maxEntries: number;
  /** Most bytes (as `weigh` counts them) over all schemas. */
  maxBytes: number;
  /** Longest query text cached, characters. */
  maxDocumentLength: number;
  rules: readonly ValidationRule[];
}

/** Bytes charged per node of a parsed document (measured 70-92 with `noLocation`, rounded up). */
const NODE_BYTES = 100;
/** Bytes charged per validation error kept (message, extensions, node references). */
const ERROR_BYTES = 512;

/** What an entry is charged: its text at two bytes a character (the key) and its parsed form. */
export function weigh(text: string, nodes: number, errors = 0): number {
  return 2 * text.length + NODE_BYTES * nodes + ERROR_BYTES * errors;
}

/** Apollo's codes for these refusals over HTTP, so WebSocket callers see the same ones. */
const PARSE_FAILED = 'GRAPHQL_PARSE_FAILED';
const VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED';

/** The error with `code` unless it already carries one (our depth and cost refusals keep theirs). */
function coded(error: GraphQLError, code: string): GraphQLError {
  if (typeof error.extensions.code === 'string') return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

interface Entry {
  prepared: Prepared;
  bytes: number;
}

export class OperationCache {
  /** Entries of every schema in one LRU order (oldest first): one budget for all. */
  private readonly entries = new Map<string, Entry>();
  /** A small id per schema, so one map keys entries of every schema. */
  private readonly schemaIds = new WeakMap<GraphQLSchema, number>();
  private nextSchemaId = 0;
  private heldBytes = 0;

  constructor(private readonly options: OperationCacheOptions) {}

  /** Entries and bytes held now (what the bounds are checked against). */
  get usage(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.heldBytes };
  }

  /** The parsed document of `query`, or the syntax/validation errors. */
  prepare(schema: GraphQLSchema, query: string): Prepared {
    if (query.length > this.options.maxDocumentLength) return this.compile(schema, query).prepared;
    const key = `${this.schemaId(schema)}:${query}`;
    const cached = this.entries.get(key);
    if (cached) {
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.prepared;
    }
    const { prepared, nodes } = this.compile(schema, query);
    const bytes = prepared.errors ? weigh(query, nodes, prepared.errors.length) : prepared.bytes;
    if (bytes > this.options.maxBytes) return prepared;
    this.entries.set(key, { prepared, bytes });
    this.heldBytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.options.maxEntries && this.heldBytes <= this.options.maxBytes) break;
      this.entries.delete(oldest);
      this.heldBytes -= entry.bytes;
    }
    return prepared;
  }

  private schemaId(schema: GraphQLSchema): number {
    let id = this.schemaIds.get(schema);
    if (id === undefined) {
      id = this.nextSchemaId++;
      this.schemaIds.set(schema, id);
      // A replaced schema's entries are never asked for again: they age out by the LRU order.
    }
    return id;
  }

  private compile(schema: GraphQLSchema, query: string): { prepared: Prepared; nodes: number } {
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: 10_000, noLocation: true });
    } catch (error) {
      const failure = error instanceof GraphQLError ? error : new GraphQLError(String(error));
      return { prepared: { document: null, errors: [coded(failure, PARSE_FAILED)] }, nodes: 0 };
    }
    let nodes = 0;
    visit(document, {
      enter() {
        nodes += 1;
      },
    });
    const errors = validate(schema, document, [...specifiedRules, ...this.options.rules]);
    return {
      prepared:
        errors.length > 0
          ? { document: null, errors: errors.map((error) => coded(error, VALIDATION_FAILED)) }
          : { document, errors: null, bytes: weigh(query, nodes) },
      nodes,
    };
  }
}
