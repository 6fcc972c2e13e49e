/**
 * Turns a query into its live form. The server's `subscription live: Query!` re-executes whatever
 * is selected under `live` for the caller and pushes it when the result changes, so
 *
 *     query Home($placement: String!) { banner(placement: $placement) { title } }
 *
 * becomes
 *
 *     subscription Home($placement: String!) { live { banner(placement: $placement) { title } } }
 *
 * and every pushed `data.live` has exactly the shape of the query's `data`: one query document, one
 * generated type, used for the first render and every push alike. Fragments on `Query` stay valid
 * because `live` is of type `Query`.
 */
import {
  Kind,
  OperationTypeNode,
  parse,
  print,
  type DocumentNode,
  type OperationDefinitionNode,
} from 'graphql';

/** The root field of the live subscription, fixed by the server's schema. */
export const LIVE_FIELD = 'live';

const cache = new WeakMap<DocumentNode, string>();

/**
 * The text of the live subscription for a query document (cached per document object, so a component
 * re-rendering with the same document does not print it again).
 *
 * @throws TypeError when the document has no query, or several operations (which one would be meant?).
 */
export function liveSubscriptionText(query: DocumentNode | string): string {
  const document = typeof query === 'string' ? parse(query) : query;
  const cached = cache.get(document);
  if (cached !== undefined) return cached;
  const text = print(toLiveSubscription(document));
  cache.set(document, text);
  return text;
}

/** The live subscription document for a query document. Pure: the input is not modified. */
export function toLiveSubscription(document: DocumentNode): DocumentNode {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (operations.length !== 1)
    throw new TypeError(`a live query needs exactly one operation, found ${operations.length}`);
  const operation = operations[0]!;
  if (operation.operation !== OperationTypeNode.QUERY)
    throw new TypeError(`a live query must be a query, got a ${operation.operation}`);
  const live: OperationDefinitionNode = {
    ...operation,
    operation: OperationTypeNode.SUBSCRIPTION,
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: [
        {
          kind: Kind.FIELD,
          name: { kind: Kind.NAME, value: LIVE_FIELD },
          selectionSet: operation.selectionSet,
        },
      ],
    },
  };
  return {
    ...document,
    definitions: document.definitions.map((definition) => (definition === operation ? live : definition)),
  };
}

/** The operation name of a document, if it has one (sent along for server logs and metrics). */
export function operationName(document: DocumentNode): string | undefined {
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) return definition.name?.value;
  }
  return undefined;
}
