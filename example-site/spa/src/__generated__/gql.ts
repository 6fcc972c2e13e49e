/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
  '\n  # Block themes are aliased: each component has its own enum type, and GraphQL refuses one field\n  # name with two types in a selection.\n  query Home {\n    banner(placement: "home") {\n      documentId\n      title\n      body\n      ctaLabel\n      ctaUrl\n      theme\n      personalization {\n        segment\n      }\n    }\n    homePage {\n      title\n      blocks {\n        __typename\n        ... on ComponentBlocksHero {\n          id\n          title\n          subtitle\n          heroTheme: theme\n          personalization {\n            segment\n          }\n        }\n        ... on ComponentBlocksPromo {\n          id\n          title\n          text\n          ctaLabel\n          ctaUrl\n          promoTheme: theme\n          personalization {\n            segment\n          }\n        }\n        ... on ComponentBlocksArticleList {\n          id\n          title\n          category\n          personalization {\n            segment\n          }\n        }\n      }\n    }\n    articles {\n      slug\n      title\n      category\n      summary\n    }\n    products {\n      slug\n      name\n      price\n    }\n  }\n': typeof types.HomeDocument;
  '\n  query Article($slug: String!) {\n    article(slug: $slug) {\n      documentId\n      slug\n      title\n      category\n      summary\n      body\n    }\n  }\n': typeof types.ArticleDocument;
  '\n  query Product($slug: String!) {\n    product(slug: $slug) {\n      documentId\n      slug\n      name\n      price\n      description\n    }\n  }\n': typeof types.ProductDocument;
};
const documents: Documents = {
  '\n  # Block themes are aliased: each component has its own enum type, and GraphQL refuses one field\n  # name with two types in a selection.\n  query Home {\n    banner(placement: "home") {\n      documentId\n      title\n      body\n      ctaLabel\n      ctaUrl\n      theme\n      personalization {\n        segment\n      }\n    }\n    homePage {\n      title\n      blocks {\n        __typename\n        ... on ComponentBlocksHero {\n          id\n          title\n          subtitle\n          heroTheme: theme\n          personalization {\n            segment\n          }\n        }\n        ... on ComponentBlocksPromo {\n          id\n          title\n          text\n          ctaLabel\n          ctaUrl\n          promoTheme: theme\n          personalization {\n            segment\n          }\n        }\n        ... on ComponentBlocksArticleList {\n          id\n          title\n          category\n          personalization {\n            segment\n          }\n        }\n      }\n    }\n    articles {\n      slug\n      title\n      category\n      summary\n    }\n    products {\n      slug\n      name\n      price\n    }\n  }\n':
    types.HomeDocument,
  '\n  query Article($slug: String!) {\n    article(slug: $slug) {\n      documentId\n      slug\n      title\n      category\n      summary\n      body\n    }\n  }\n':
    types.ArticleDocument,
  '\n  query Product($slug: String!) {\n    product(slug: $slug) {\n      documentId\n      slug\n      name\n      price\n      description\n    }\n  }\n':
    types.ProductDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  # Block themes are aliased: each component has its own enum type, and GraphQL refuses one field\n  # name with two types in a selection.\n  query Home {\n    banner(placement: "home") {\n      documentId\n      title\n      body\n      ctaLabel\n      ctaUrl\n      theme\n      personalization {\n        segment\n      }\n    }\n    homePage {\n      title\n      blocks {\n        __typename\n        ... on ComponentBlocksHero {\n          id\n          title\n          subtitle\n          heroTheme: theme\n          personalization {\n            segment\n          }\n        }\n        ... on ComponentBlocksPromo {\n          id\n          title\n          text\n          ctaLabel\n          ctaUrl\n          promoTheme: theme\n          personalization {\n            segment\n          }\n        }\n        ... on ComponentBlocksArticleList {\n          id\n          title\n          category\n          personalization {\n            segment\n          }\n        }\n      }\n    }\n    articles {\n      slug\n      title\n      category\n      summary\n    }\n    products {\n      slug\n      name\n      price\n    }\n  }\n',
): (typeof documents)['\n  # Block themes are aliased: each component has its own enum type, and GraphQL refuses one field\n  # name with two types in a selection.\n  query Home {\n    banner(placement: "home") {\n      documentId\n      title\n      body\n      ctaLabel\n      ctaUrl\n      theme\n      personalization {\n        segment\n      }\n    }\n    homePage {\n      title\n      blocks {\n        __typename\n        ... on ComponentBlocksHero {\n          id\n          title\n          subtitle\n          heroTheme: theme\n          personalization {\n            segment\n          }\n        }\n        ... on ComponentBlocksPromo {\n          id\n          title\n          text\n          ctaLabel\n          ctaUrl\n          promoTheme: theme\n          personalization {\n            segment\n          }\n        }\n        ... on ComponentBlocksArticleList {\n          id\n          title\n          category\n          personalization {\n            segment\n          }\n        }\n      }\n    }\n    articles {\n      slug\n      title\n      category\n      summary\n    }\n    products {\n      slug\n      name\n      price\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query Article($slug: String!) {\n    article(slug: $slug) {\n      documentId\n      slug\n      title\n      category\n      summary\n      body\n    }\n  }\n',
): (typeof documents)['\n  query Article($slug: String!) {\n    article(slug: $slug) {\n      documentId\n      slug\n      title\n      category\n      summary\n      body\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query Product($slug: String!) {\n    product(slug: $slug) {\n      documentId\n      slug\n      name\n      price\n      description\n    }\n  }\n',
): (typeof documents)['\n  query Product($slug: String!) {\n    product(slug: $slug) {\n      documentId\n      slug\n      name\n      price\n      description\n    }\n  }\n'];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> =
  TDocumentNode extends DocumentNode<infer TType, any> ? TType : never;
