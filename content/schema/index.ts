/**
 * The typed content part of the schema for a snapshot: SDL (`extend type Query { banner(...) }`)
 * and its resolvers. server/schema.ts merges it with the static schema.
 */
export { contentTypeDefs } from './sdl';
export {
  contentResolvers,
  MAX_LIST_LIMIT,
  type ContentItem,
  type ContentRequest,
  type ContentResolvers,
} from './resolvers';
