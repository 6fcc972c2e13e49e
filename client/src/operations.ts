/**
 * The GraphQL operations the client itself sends, against the endpoint's static contract
 * (`schema/personalize.graphql`). Their result types are generated from these documents by GraphQL
 * Code Generator (`npm run codegen -w @personalize/client`) into `__generated__/operations.ts`.
 */

/** What the client reads of a membership: everything a "why am I seeing this" panel shows. */
export const MEMBERSHIP_FIELDS = /* GraphQL */ `
  fragment MembershipFields on SegmentMembership {
    key
    name
    priority
    since
    expiresAt
    reason
  }
`;

/** What the client reads of a profile. */
export const PROFILE_FIELDS = /* GraphQL */ `
  fragment ProfileFields on Profile {
    id
    userId
    consent {
      behavioral
    }
    segments {
      ...MembershipFields
    }
  }
`;

/** Issues a signed anonymous profile token. The only operation that needs no token. */
export const START_SESSION = /* GraphQL */ `
  mutation StartSession {
    startSession {
      token
      profileId
      expiresAt
    }
  }
`;

/** A new token for the caller's profile, before the current one expires. */
export const REFRESH_SESSION = /* GraphQL */ `
  mutation RefreshSession {
    refreshSession {
      token
      profileId
      expiresAt
    }
  }
`;

/** Stores a batch of events; idempotent by event id. */
export const TRACK = /* GraphQL */ `
  mutation Track($events: [EventInput!]!) {
    track(events: $events) {
      accepted
      duplicates
      withheld
    }
  }
`;

/** The caller's profile with current segments (each with its reason and when it lapses). */
const ME_OPERATION = /* GraphQL */ `
  query Me {
    me {
      ...ProfileFields
    }
  }
`;
export const ME = ME_OPERATION + PROFILE_FIELDS + MEMBERSHIP_FIELDS;

/** Signs in as the user of an identity assertion; answers the user's profile and its new token. */
const IDENTIFY_OPERATION = /* GraphQL */ `
  mutation Identify($assertion: String!, $traits: JSON) {
    identify(assertion: $assertion, traits: $traits) {
      session {
        token
        profileId
        expiresAt
      }
      profile {
        ...ProfileFields
      }
    }
  }
`;
export const IDENTIFY = IDENTIFY_OPERATION + PROFILE_FIELDS + MEMBERSHIP_FIELDS;

/** Grants or withdraws consent to behavioural tracking. */
const SET_CONSENT_OPERATION = /* GraphQL */ `
  mutation SetConsent($behavioral: Boolean!) {
    setConsent(behavioral: $behavioral) {
      ...ProfileFields
    }
  }
`;
export const SET_CONSENT = SET_CONSENT_OPERATION + PROFILE_FIELDS + MEMBERSHIP_FIELDS;

/** Erases every key of the caller's profile. */
export const FORGET_ME = /* GraphQL */ `
  mutation ForgetMe {
    forgetMe
  }
`;

/** Pushed whenever the caller's segments change (event, time, rules, merge); the current state first. */
const SEGMENTS_CHANGED_OPERATION = /* GraphQL */ `
  subscription SegmentsChanged {
    segmentsChanged {
      entered
      exited
      reason
      cause
      at
      segments {
        ...MembershipFields
      }
    }
  }
`;
export const SEGMENTS_CHANGED = SEGMENTS_CHANGED_OPERATION + MEMBERSHIP_FIELDS;
