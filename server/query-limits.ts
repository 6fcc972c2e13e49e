/**
 * Validation rules that bound what one operation may ask for, checked before anything executes:
 * selection depth (fragments expanded) and an estimated cost (each field costs 1, times the size of
 * every list around it). A list's size is what its `limit` argument can make it, known before any
 * variable is: a literal `limit` counts at its value, a variable one at the most a list may return
 * (`MAX_LIST_LIMIT`, 1000: the value is not known at validation), an omitted or null one at the
 * argument's default (100 on content lists). A list field without a `limit` argument (components,
 * relations, dynamic-zone blocks, a profile's segments: sized by editors, not by the caller)
 * counts 10.
 */
import {
  GraphQLError,
  Kind,
  getNamedType,
  isListType,
  isNonNullType,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLType,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
  isObjectType,
  isInterfaceType,
  isUnionType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { MAX_LIST_LIMIT } from '../content/schema/resolvers';
import { ErrorCode } from './protocol';

/** Size assumed for a list field that takes no `limit` argument. */
const DEFAULT_LIST_SIZE = 10;

function isList(type: GraphQLType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

function fieldsOf(
  type: GraphQLNamedType | undefined,
  schema: GraphQLSchema,
): Map<string, GraphQLField<unknown, unknown>> {
  const fields = new Map<string, GraphQLField<unknown, unknown>>();
  if (!type) return fields;
  const add = (candidate: GraphQLNamedType) => {
    if (isObjectType(candidate) || isInterfaceType(candidate))
      for (const [name, field] of Object.entries(candidate.getFields()))
        if (!fields.has(name)) fields.set(name, field);
  };
  add(type);
  if (isUnionType(type) || isInterfaceType(type))
    for (const member of schema.getPossibleTypes(type)) add(member);
  return fields;
}

/** How many items a list field may return, from its `limit` argument (see the header). */
function listSize(
  field: GraphQLField<unknown, unknown>,
  given: readonly { name: { value: string }; value: ValueNode }[],
): number {
  const declared = field.args.find((argument) => argument.name === 'limit');
  if (!declared) return DEFAULT_LIST_SIZE;
  const value = given.find((argument) => argument.name.value === 'limit')?.value;
  if (value?.kind === Kind.INT) return Math.max(1, Number(value.value));
  if (value?.kind === Kind.VARIABLE) return MAX_LIST_LIMIT;
  const fallback = declared.defaultValue;
  return typeof fallback === 'number' && fallback > 0 ? fallback : MAX_LIST_LIMIT;
}

interface Measure {
  depth: number;
  cost: number;
}

/** What one measurement walk shares: the document's fragments, and each fragment's measure once known. */
interface Walk {
  context: ValidationContext;
  fragments: Map<string, FragmentDefinitionNode>;
  /** Fragments being expanded on the current path (a cycle is cut; NoFragmentCycles reports it). */
  visiting: Set<string>;
  /**
   * Each fragment measured once: a fragment's measure depends on it alone (its type condition), and
   * without this a few hundred bytes of fragments spreading the next one twice take 2^levels steps
   * to measure (40 levels: the event loop blocked for days) before the cost limit could refuse them.
   */
  measured: Map<string, Measure>;
}

/** Depth and cost of a selection set on `type`, fragments expanded. */
function measure(selectionSet: SelectionSetNode, type: GraphQLNamedType | undefined, walk: Walk): Measure {
  let depth = 0;
  let cost = 0;
  const schema = walk.context.getSchema();
  const fields = fieldsOf(type, schema);
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const field = fields.get(selection.name.value);
      if (!selection.selectionSet) {
        cost += 1;
        depth = Math.max(depth, 1);
        continue;
      }
      const inner = measure(
        selection.selectionSet,
        field ? getNamedType(field.type as GraphQLOutputType) : undefined,
        walk,
      );
      const size = field && isList(field.type) ? listSize(field, selection.arguments ?? []) : 1;
      cost += 1 + size * inner.cost;
      depth = Math.max(depth, 1 + inner.depth);
      continue;
    }
    let inner: Measure | undefined;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const typeName = selection.typeCondition?.name.value;
      inner = measure(selection.selectionSet, typeName ? (schema.getType(typeName) ?? type) : type, walk);
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      if (!fragment || walk.visiting.has(name)) continue;
      inner = walk.measured.get(name);
      if (!inner) {
        walk.visiting.add(name);
        inner = measure(
          fragment.selectionSet,
          schema.getType(fragment.typeCondition.name.value) ?? type,
          walk,
        );
        walk.visiting.delete(name);
        walk.measured.set(name, inner);
      }
    }
    cost += inner.cost;
    depth = Math.max(depth, inner.depth);
  }
  return { depth, cost };
}

/** Refuses operations deeper than `maxDepth` or costlier than `maxCost`, with codes and the figures. */
export function queryLimitsRule(maxDepth: number, maxCost: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions)
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    // Shared by every operation of the document: a fragment measures the same in each.
    const measured = new Map<string, Measure>();
    return {
      OperationDefinition(operation) {
        const schema = context.getSchema();
        const root =
          operation.operation === 'query'
            ? schema.getQueryType()
            : operation.operation === 'mutation'
              ? schema.getMutationType()
              : schema.getSubscriptionType();
        const { depth, cost } = measure(operation.selectionSet, root ?? undefined, {
          context,
          fragments,
          visiting: new Set(),
          measured,
        });
        if (depth > maxDepth)
          context.reportError(
            new GraphQLError(`the query is ${depth} levels deep; at most ${maxDepth} are allowed`, {
              nodes: [operation],
              extensions: { code: ErrorCode.QueryTooDeep, depth, maxDepth },
            }),
          );
        if (cost > maxCost)
          context.reportError(
            new GraphQLError(`the query's estimated cost is ${cost}; at most ${maxCost} is allowed`, {
              nodes: [operation],
              extensions: { code: ErrorCode.QueryTooCostly, cost, maxCost },
            }),
          );
      },
    };
  };
}
