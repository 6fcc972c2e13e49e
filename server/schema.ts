/**
 * The executable schema: the static contract (schema/*.graphql with resolvers/) plus the typed
 * content fields built from the snapshot's content model. Rebuilt when the model changes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { buildASTSchema, parse, type GraphQLSchema } from 'graphql';
import { contentResolvers, contentTypeDefs } from '../content/schema';
import type { ReservedNames } from '../content/model';
import type { ContentSnapshot } from '../content/snapshot';
import { scopeOf, staticResolvers, type ResolverContext } from '../resolvers';
import type { RootModel } from '../resolvers/models';

/** Finds `schema/` next to the package root, from source (`server/`) or from the build (`dist/server/`). */
function schemaDirectory(): string {
  for (let directory = __dirname; ; directory = dirname(directory)) {
    const candidate = join(directory, 'schema');
    if (existsSync(join(candidate, 'personalize.graphql'))) return candidate;
    if (dirname(directory) === directory)
      throw new Error('schema/personalize.graphql not found above ' + __dirname);
  }
}

let staticTypeDefs: string | undefined;

/** The static SDL (every `schema/*.graphql`, read once). */
export function staticSchemaText(): string {
  if (staticTypeDefs === undefined) {
    const directory = schemaDirectory();
    staticTypeDefs = readdirSync(directory)
      .filter((name) => name.endsWith('.graphql'))
      .sort()
      .map((name) => readFileSync(join(directory, name), 'utf8'))
      .join('\n');
  }
  return staticTypeDefs;
}

/** Type names and `Query` fields of the static schema, which content must not take. */
export function reservedNames(): ReservedNames {
  const schema = buildASTSchema(parse(staticSchemaText()));
  return {
    typeNames: new Set([...Object.keys(schema.getTypeMap()), 'Query', 'Mutation', 'Subscription']),
    queryFields: new Set(Object.keys(schema.getQueryType()!.getFields())),
  };
}

/** The full schema for a snapshot's content model. */
export function buildSchema(snapshot: ContentSnapshot): GraphQLSchema {
  const content = contentTypeDefs(snapshot.plan);
  const requestOf = (parent: unknown, context: unknown) =>
    scopeOf(parent as RootModel | undefined, context as ResolverContext).content;
  const contentMap = contentResolvers(snapshot.plan, requestOf);
  const { Query: contentQuery, ...contentTypes } = contentMap;
  return makeExecutableSchema({
    typeDefs: content ? [staticSchemaText(), content] : [staticSchemaText()],
    resolvers: [
      staticResolvers as Record<string, unknown>,
      contentTypes as Record<string, unknown>,
      ...(contentQuery ? [{ Query: contentQuery }] : []),
    ] as never,
  });
}
