/* eslint-disable */
import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { ProfileModel, MembershipModel, SegmentModel, SegmentChangeModel, TrackResultModel, SessionModel, IdentifiedModel, RootModel } from '../models';
import type { ResolverContext } from '../context';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A point in time, ISO 8601 in UTC with milliseconds (`2026-11-22T21:40:48.000Z`). */
  DateTime: { input: string; output: string; }
  /** Any JSON value (objects, arrays, strings, numbers, booleans, null). */
  JSON: { input: unknown; output: unknown; }
};

/** Conditions on a boolean attribute. */
export type BooleanFilterInput = {
  eq?: InputMaybe<Scalars['Boolean']['input']>;
  ne?: InputMaybe<Scalars['Boolean']['input']>;
  null?: InputMaybe<Scalars['Boolean']['input']>;
};

/** What caused a change of memberships. */
export type ChangeCause =
  | 'CONSENT'
  /** Not a change: the state at the moment of (re)subscribing, always pushed first. */
  | 'CURRENT'
  | 'EVENT'
  | 'FORGET'
  /** The anonymous profile was merged into a user's by `identify`. */
  | 'MERGE'
  /** Segment definitions changed. */
  | 'RULES'
  /** A window expired or a deadline passed, with no new event. */
  | 'TIME'
  | 'TRAITS';

/** The caller's consent to the storage of behavioural data. */
export type Consent = {
  __typename?: 'Consent';
  /** Events, windows and scores may be stored. When off, nothing behavioural is stored and what was is dropped. */
  behavioral: Scalars['Boolean']['output'];
};

/** An event, in the Segment tracking spec's terms. Idempotent by `id`. */
export type EventInput = {
  context?: InputMaybe<Scalars['JSON']['input']>;
  /** Unique per event, ever (Segment `messageId`); a retried id is acknowledged and not counted again. */
  id: Scalars['ID']['input'];
  properties?: InputMaybe<Scalars['JSON']['input']>;
  /** When it happened, ISO 8601 or epoch milliseconds; defaults to the time of receipt. */
  timestamp?: InputMaybe<Scalars['JSON']['input']>;
  /** Event name (`Article Viewed`), or the call type (`page`). */
  type: Scalars['String']['input'];
};

/** What `identify` returns: the user's profile, and the token that now stands for it. */
export type Identified = {
  __typename?: 'Identified';
  profile: Profile;
  /** A token for the user's profile. Use it from now on: the previous anonymous token is refused. */
  session: Session;
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Erases every key of the caller's profile (GDPR erasure). The token then stands for an empty profile. */
  forgetMe: Scalars['Boolean']['output'];
  /**
   * Signs the caller in as the user named by `assertion`, a short-lived single-use JWT signed by the
   * site's backend (`signIdentityAssertion`; format in server/README.md): an anonymous caller's
   * profile is merged into the user's, a caller already signed in as another user gets the user's
   * profile without merging. Returns a new token for the user's profile: the old one is refused
   * from then on. Browser-sent `traits` are refused unless `identity.clientTraits` is `separate`.
   */
  identify: Identified;
  /** A new token for the caller's profile, valid for a full lifetime again (send it before the current one expires). */
  refreshSession: Session;
  /** Grants or withdraws consent to behavioural tracking (withdrawing drops stored events). */
  setConsent: Profile;
  /** Issues a signed anonymous profile token. The only operation that needs no token. */
  startSession: Session;
  /** Stores a batch of events for the caller (at most `limits.maxBatch`); idempotent by event id. */
  track: TrackResult;
};


export type MutationIdentifyArgs = {
  assertion: Scalars['String']['input'];
  traits?: InputMaybe<Scalars['JSON']['input']>;
};


export type MutationSetConsentArgs = {
  behavioral: Scalars['Boolean']['input'];
};


export type MutationTrackArgs = {
  events: Array<EventInput>;
};

/** Conditions on a numeric attribute; every condition given must hold. */
export type NumberFilterInput = {
  eq?: InputMaybe<Scalars['Float']['input']>;
  gt?: InputMaybe<Scalars['Float']['input']>;
  gte?: InputMaybe<Scalars['Float']['input']>;
  in?: InputMaybe<Array<Scalars['Float']['input']>>;
  lt?: InputMaybe<Scalars['Float']['input']>;
  lte?: InputMaybe<Scalars['Float']['input']>;
  ne?: InputMaybe<Scalars['Float']['input']>;
  notIn?: InputMaybe<Array<Scalars['Float']['input']>>;
  null?: InputMaybe<Scalars['Boolean']['input']>;
};

/** How a personalized item (an entry or a block) was chosen for the caller. */
export type Personalization = {
  __typename?: 'Personalization';
  /** True when the item is untagged and shown because no tagged item matched (or it is shown to everyone). */
  fallback: Scalars['Boolean']['output'];
  /** Key of the caller's segment that chose this item; null when it is a fallback (untagged) item. */
  segment?: Maybe<Scalars['ID']['output']>;
  /** The segment keys the item is tagged with (empty for fallbacks). */
  tags: Array<Scalars['ID']['output']>;
};

/** One visitor, anonymous or known. */
export type Profile = {
  __typename?: 'Profile';
  /** Traits the browser sent to `identify` (with `identity.clientTraits: separate`); rules read them only as `clientTraits`. */
  clientTraits: Scalars['JSON']['output'];
  consent: Consent;
  /** The canonical profile id (after `identify`, the user's profile). */
  id: Scalars['ID']['output'];
  /** Version of the rule set the memberships were evaluated with. */
  rulesVersion: Scalars['String']['output'];
  /** Current memberships, highest priority first. */
  segments: Array<SegmentMembership>;
  /** Traits from the server side (the identity assertion, the server-to-server API): the ones rules trust. */
  traits: Scalars['JSON']['output'];
  /** The user id given to `identify`, or null while anonymous. */
  userId?: Maybe<Scalars['ID']['output']>;
};

export type Query = {
  __typename?: 'Query';
  /** The caller's profile and current segments. Needs a profile token. */
  me: Profile;
  /** The enabled segments of the rule set in force, highest priority first (disabled ones are not listed). */
  segments: Array<Segment>;
};

/** An enabled segment of the rule set in force: its public fields only (never its rule). */
export type Segment = {
  __typename?: 'Segment';
  key: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  /** Higher wins when several of a caller's segments tag variants of the same content. */
  priority: Scalars['Int']['output'];
};

/** A change of the caller's memberships, pushed by `segmentsChanged`. */
export type SegmentChange = {
  __typename?: 'SegmentChange';
  at: Scalars['DateTime']['output'];
  cause: ChangeCause;
  /** Keys of the segments entered. */
  entered: Array<Scalars['ID']['output']>;
  /** Keys of the segments left. */
  exited: Array<Scalars['ID']['output']>;
  /** Why, for people: one line per entered or exited segment. */
  reason: Scalars['String']['output'];
  /** Why, for programs: the reason of each entered and exited segment, by key. */
  reasons: Scalars['JSON']['output'];
  /** All memberships after the change, highest priority first. */
  segments: Array<SegmentMembership>;
};

/** A segment the caller currently belongs to, and why. */
export type SegmentMembership = {
  __typename?: 'SegmentMembership';
  /** When the membership lapses if nothing new happens; null when it does not lapse by itself. */
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  /** Why, for programs: the deciding conditions, each with its path in the rule and the observed value. */
  explanation: Scalars['JSON']['output'];
  key: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  priority: Scalars['Int']['output'];
  /** Why, for people: `4 × Article Viewed where category = "news" in 10m (> 3)`. */
  reason: Scalars['String']['output'];
  /** When the caller entered the segment. */
  since: Scalars['DateTime']['output'];
};

/** What `startSession`, `identify` and `refreshSession` return: the token that proves who the caller is on every later request. */
export type Session = {
  __typename?: 'Session';
  /** When the token stops being accepted; call `refreshSession` before (or `startSession` after). */
  expiresAt: Scalars['DateTime']['output'];
  /** The profile the token stands for: an anonymous one from `startSession`, the user's from `identify`. */
  profileId: Scalars['ID']['output'];
  /** HMAC-signed profile token: send it as `Authorization: Bearer`, the `pz_token` cookie, or `connection_init { token }`. */
  token: Scalars['String']['output'];
};

/** Conditions on a text attribute; every condition given must hold. */
export type StringFilterInput = {
  contains?: InputMaybe<Scalars['String']['input']>;
  /** Case-insensitive `contains`. */
  containsi?: InputMaybe<Scalars['String']['input']>;
  endsWith?: InputMaybe<Scalars['String']['input']>;
  eq?: InputMaybe<Scalars['String']['input']>;
  in?: InputMaybe<Array<Scalars['String']['input']>>;
  ne?: InputMaybe<Scalars['String']['input']>;
  notIn?: InputMaybe<Array<Scalars['String']['input']>>;
  /** true: the attribute is empty (null or absent); false: it has a value. */
  null?: InputMaybe<Scalars['Boolean']['input']>;
  startsWith?: InputMaybe<Scalars['String']['input']>;
};

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * A live query: re-executes the selection whenever the caller's segments, the content it selected
   * or the segment definitions change, and pushes only results that differ. The current result first.
   */
  live: Query;
  /** Every change of the caller's memberships, from any instance; the current state first. */
  segmentsChanged: SegmentChange;
};

/** What `track` did with a batch. */
export type TrackResult = {
  __typename?: 'TrackResult';
  /** Events stored and counted. */
  accepted: Scalars['Int']['output'];
  /** Events already stored under their id: acknowledged, not counted again. */
  duplicates: Scalars['Int']['output'];
  /** Keys of the segments these events made the caller enter. */
  entered: Array<Scalars['ID']['output']>;
  /** Keys of the segments these events made the caller leave. */
  exited: Array<Scalars['ID']['output']>;
  /** All memberships after the batch. */
  segments: Array<SegmentMembership>;
  /** Events not stored because the caller's behavioural consent is off. */
  withheld: Scalars['Int']['output'];
};

/** A media file of Strapi's upload plugin, as populated on published entries. */
export type UploadFile = {
  __typename?: 'UploadFile';
  alternativeText?: Maybe<Scalars['String']['output']>;
  caption?: Maybe<Scalars['String']['output']>;
  /** Resized variants by name (`thumbnail`, `small`, ...), each with its own `url`, `width`, `height`. */
  formats?: Maybe<Scalars['JSON']['output']>;
  height?: Maybe<Scalars['Int']['output']>;
  mime?: Maybe<Scalars['String']['output']>;
  name?: Maybe<Scalars['String']['output']>;
  url: Scalars['String']['output'];
  width?: Maybe<Scalars['Int']['output']>;
};



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  BooleanFilterInput: BooleanFilterInput;
  ChangeCause: ChangeCause;
  Consent: ResolverTypeWrapper<Consent>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  EventInput: EventInput;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Identified: ResolverTypeWrapper<IdentifiedModel>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Mutation: ResolverTypeWrapper<RootModel>;
  NumberFilterInput: NumberFilterInput;
  Personalization: ResolverTypeWrapper<Personalization>;
  Profile: ResolverTypeWrapper<ProfileModel>;
  Query: ResolverTypeWrapper<RootModel>;
  Segment: ResolverTypeWrapper<SegmentModel>;
  SegmentChange: ResolverTypeWrapper<SegmentChangeModel>;
  SegmentMembership: ResolverTypeWrapper<MembershipModel>;
  Session: ResolverTypeWrapper<SessionModel>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  StringFilterInput: StringFilterInput;
  Subscription: ResolverTypeWrapper<RootModel>;
  TrackResult: ResolverTypeWrapper<TrackResultModel>;
  UploadFile: ResolverTypeWrapper<UploadFile>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  Boolean: Scalars['Boolean']['output'];
  BooleanFilterInput: BooleanFilterInput;
  Consent: Consent;
  DateTime: Scalars['DateTime']['output'];
  EventInput: EventInput;
  Float: Scalars['Float']['output'];
  ID: Scalars['ID']['output'];
  Identified: IdentifiedModel;
  Int: Scalars['Int']['output'];
  JSON: Scalars['JSON']['output'];
  Mutation: RootModel;
  NumberFilterInput: NumberFilterInput;
  Personalization: Personalization;
  Profile: ProfileModel;
  Query: RootModel;
  Segment: SegmentModel;
  SegmentChange: SegmentChangeModel;
  SegmentMembership: MembershipModel;
  Session: SessionModel;
  String: Scalars['String']['output'];
  StringFilterInput: StringFilterInput;
  Subscription: RootModel;
  TrackResult: TrackResultModel;
  UploadFile: UploadFile;
};

export type ConsentResolvers<ContextType = ResolverContext, ParentType extends ResolversParentTypes['Consent'] = ResolversParentTypes['Consent']> = {
  behavioral?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type IdentifiedResolvers<ContextType = ResolverContext, ParentType extends ResolversParentTypes['Identified'] = ResolversParentTypes['Identified']> = {
  profile?: Resolver<ResolversTypes['Profile'], ParentType, ContextType>;
  session?: Resolver<ResolversTypes['Session'], ParentType, ContextType>;
};

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type MutationResolvers<ContextType = ResolverContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  forgetMe?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  identify?: Resolver<ResolversTypes['Identified'], ParentType, ContextType, RequireFields<MutationIdentifyArgs, 'assertion'>>;
  refreshSession?: Resolver<ResolversTypes['Session'], ParentType, ContextType>;
  setConsent?: Resolver<ResolversTypes['Profile'], ParentType, ContextType, RequireFields<MutationSetConsentArgs, 'behavioral'>>;
  startSession?: Resolver<ResolversTypes['Session'], ParentType, ContextType>;
  track?: Resolver<ResolversTypes['TrackResult'], ParentType, ContextType, RequireFields<MutationTrackArgs, 'events'>>;
};

export type PersonalizationResolvers<ContextType = ResolverContext, ParentType extends ResolversParentTypes['Personalization'] = ResolversParentTypes['Personalization']> = {
  fallback?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  segment?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  tags?: Resolver<Array<ResolversTypes['ID']>, ParentType, ContextType>;
};

export type ProfileResolvers<ContextType = ResolverContext, ParentType extends ResolversParentTypes['Profile'] = ResolversParentTypes['Profile']> = {
  clientTraits?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  consent?: Resolver<ResolversTypes['Consent'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  rulesVersion?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  segments?: Resolver<Array<ResolversTypes['SegmentMembership']>, ParentType, ContextType>;
  traits?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  userId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
};

export type QueryResolvers<ContextType = ResolverContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  me?: Resolver<ResolversTypes['Profile'], ParentType, ContextType>;
  segments?: Resolver<Array<ResolversTypes['Segment']>, ParentType, ContextType>;
};

export type SegmentResolvers<ContextType = ResolverContext, ParentType extends ResolversParentTypes['Segment'] = ResolversParentTypes['Segment']> = {
  key?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  priority?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type SegmentChangeResolvers<ContextType = ResolverContext, ParentType extends ResolversParentTypes['SegmentChange'] = ResolversParentTypes['SegmentChange']> = {
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  cause?: Resolver<ResolversTypes['ChangeCause'], ParentType, ContextType>;
  entered?: Resolver<Array<ResolversTypes['ID']>, ParentType, ContextType>;
  exited?: Resolver<Array<ResolversTypes['ID']>, ParentType, ContextType>;
  reason?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  reasons?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  segments?: Resolver<Array<ResolversTypes['SegmentMembership']>, ParentType, ContextType>;
};

export type SegmentMembershipResolvers<ContextType = ResolverContext, ParentType extends ResolversParentTypes['SegmentMembership'] = ResolversParentTypes['SegmentMembership']> = {
  expiresAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  explanation?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  key?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  priority?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  reason?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  since?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type SessionResolvers<ContextType = ResolverContext, ParentType extends ResolversParentTypes['Session'] = ResolversParentTypes['Session']> = {
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  profileId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  token?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = ResolverContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  live?: SubscriptionResolver<ResolversTypes['Query'], "live", ParentType, ContextType>;
  segmentsChanged?: SubscriptionResolver<ResolversTypes['SegmentChange'], "segmentsChanged", ParentType, ContextType>;
};

export type TrackResultResolvers<ContextType = ResolverContext, ParentType extends ResolversParentTypes['TrackResult'] = ResolversParentTypes['TrackResult']> = {
  accepted?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  duplicates?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  entered?: Resolver<Array<ResolversTypes['ID']>, ParentType, ContextType>;
  exited?: Resolver<Array<ResolversTypes['ID']>, ParentType, ContextType>;
  segments?: Resolver<Array<ResolversTypes['SegmentMembership']>, ParentType, ContextType>;
  withheld?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type UploadFileResolvers<ContextType = ResolverContext, ParentType extends ResolversParentTypes['UploadFile'] = ResolversParentTypes['UploadFile']> = {
  alternativeText?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  caption?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  formats?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  height?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  mime?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  name?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  url?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  width?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type Resolvers<ContextType = ResolverContext> = {
  Consent?: ConsentResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Identified?: IdentifiedResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  Personalization?: PersonalizationResolvers<ContextType>;
  Profile?: ProfileResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Segment?: SegmentResolvers<ContextType>;
  SegmentChange?: SegmentChangeResolvers<ContextType>;
  SegmentMembership?: SegmentMembershipResolvers<ContextType>;
  Session?: SessionResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  TrackResult?: TrackResultResolvers<ContextType>;
  UploadFile?: UploadFileResolvers<ContextType>;
};

