/** The custom scalars of the schema: `JSON` (any JSON value) and `DateTime` (ISO 8601, UTC). */
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';

/** A literal in a query document as a plain value (variables substituted). */
function literalValue(node: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((value) => literalValue(value, variables));
    case Kind.OBJECT: {
      // A null prototype: keys like `__proto__` in caller input stay plain data.
      const object: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const field of node.fields) object[field.name.value] = literalValue(field.value, variables);
      return object;
    }
    case Kind.VARIABLE:
      return variables?.[node.name.value];
  }
}

export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: literalValue,
});

/** Epoch milliseconds or an ISO string, served as ISO 8601 UTC with milliseconds. */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'A point in time, ISO 8601 in UTC with milliseconds.',
  serialize(value) {
    const date = typeof value === 'number' || typeof value === 'string' ? new Date(value) : value;
    if (!(date instanceof Date) || Number.isNaN(date.getTime()))
      throw new TypeError(`not a time: ${String(value)}`);
    return date.toISOString();
  },
  parseValue(value) {
    const date = typeof value === 'string' ? new Date(value) : null;
    if (!date || Number.isNaN(date.getTime())) throw new TypeError('DateTime must be an ISO 8601 string');
    return date.toISOString();
  },
  parseLiteral(node) {
    if (node.kind !== Kind.STRING) throw new TypeError('DateTime must be an ISO 8601 string');
    const date = new Date(node.value);
    if (Number.isNaN(date.getTime())) throw new TypeError('DateTime must be an ISO 8601 string');
    return date.toISOString();
  },
});
