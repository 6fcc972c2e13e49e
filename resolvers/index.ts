/**
 * The resolvers of the static schema (schema/*.graphql), typed by GraphQL Code Generator from it.
 * The typed content fields have their own resolvers, built per content model (content/schema/).
 */
import type { Resolvers } from './__generated__/types';
import { Mutation } from './mutation';
import {
  Consent,
  Personalization,
  Profile,
  SegmentChange,
  SegmentMembership,
  Session,
  TrackResult,
} from './profile';
import { Query } from './query';
import { DateTimeScalar, JSONScalar } from './scalars';
import { Subscription } from './subscription';

export const staticResolvers: Resolvers = {
  JSON: JSONScalar,
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Subscription,
  Profile,
  Consent,
  SegmentMembership,
  SegmentChange,
  Session,
  TrackResult,
  Personalization,
};

export { createScope, requireProfileId, scopeOf } from './context';
export type { Auth, ResolverContext } from './context';
export type { RequestScope } from './models';
export type { Services } from './services';
